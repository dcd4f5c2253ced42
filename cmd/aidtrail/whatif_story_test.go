package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/whatif"
	"aidtrail/internal/testkit/apptest"
)

const yuan = 100

// seriousTier is MED-SERIOUS's amount for an expense, written out from the
// sample catalogue rather than asked of the rule.
func seriousTier(expense int64) int64 {
	for _, t := range []struct{ min, amount int64 }{{200_000, 40_000}, {100_000, 30_000}, {50_000, 20_000}, {30_000, 10_000}, {10_000, 5_000}} {
		if expense >= t.min*yuan {
			return t.amount * yuan
		}
	}
	return 0
}

// whatIfOver runs an analysis of MED-SERIOUS over this year as token and
// returns its answer, checking that it wrote its record and nothing else.
func whatIfOver(t *testing.T, env *apptest.Env, base, token string, draft map[string]any) map[string]any {
	t.Helper()
	ctx := t.Context()
	before, err := env.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	year := calendar.Year(time.Now())
	body, _ := json.Marshal(map[string]any{"standard_code": "MED-SERIOUS", "draft": draft,
		"from": time.Date(year, 1, 1, 0, 0, 0, 0, calendar.Zone).Format("2006-01"), "to": calendar.Month(time.Now())})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/analysis/what-if", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("what-if: %d %v %v", resp.StatusCode, out, err)
	}
	after, err := env.Store.ReadAll(ctx, before, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || after[0].Type != whatif.TypeAnalysisRun || int64(out["position"].(float64)) != after[0].Position {
		t.Fatalf("the analysis wrote %d events, want its record only", len(after))
	}
	return out
}

// rowsByCase indexes an answer's rows by case id.
func rowsByCase(out map[string]any) map[string]map[string]any {
	rows := map[string]map[string]any{}
	for _, r := range out["rows"].([]any) {
		row := r.(map[string]any)
		rows[row["case_id"].(string)] = row
	}
	return rows
}

func fen(v any) int64 { return int64(v.(float64)) }

// seriousCase is a MED-SERIOUS case of the history, as the test folds it.
type seriousCase struct {
	id               string
	employee         uuid.UUID
	expense, granted int64
}

// seriousGrants folds the history's MED-SERIOUS cases, in the order their
// approvals were recorded.
func seriousGrants(t *testing.T, store interface {
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)
}) []seriousCase {
	t.Helper()
	history, err := store.ReadAll(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]casework.CaseOpened{}
	var out []seriousCase
	for _, e := range history {
		switch e.Type {
		case casework.TypeCaseOpened:
			var p casework.CaseOpened
			if err := event.Decode(e, &p); err != nil {
				t.Fatal(err)
			}
			if p.StandardCode == "MED-SERIOUS" {
				opened[e.Stream] = p
			}
		case casework.TypeCaseApproved:
			var p casework.CaseApproved
			if err := event.Decode(e, &p); err != nil {
				t.Fatal(err)
			}
			if o, ok := opened[e.Stream]; ok {
				out = append(out, seriousCase{o.CaseID.String(), o.EmployeeID, o.ExpenseFen, p.AmountFen})
			}
		}
	}
	return out
}

// checkCapRaised: raising MED-SERIOUS's annual cap to capFen changes
// exactly the cases the old cap of 60,000 yuan held down, each by what the
// tier for its expense, within the new cap, adds.
func checkCapRaised(t *testing.T, env *apptest.Env, base, token string, capFen int64) {
	t.Helper()
	out := whatIfOver(t, env, base, token, map[string]any{"annual_cap_fen": capFen})
	rows := rowsByCase(out)
	var changed, delta int64
	grants := seriousGrants(t, env.Store)
	for i, want := range capRaised(grants, capFen) {
		c := grants[i]
		row := rows[c.id]
		if row == nil || fen(row["current_fen"]) != c.granted || fen(row["draft_fen"]) != want.draft ||
			(fen(row["delta_fen"]) != 0) != want.heldByCap {
			t.Errorf("case %s (expense %d, granted %d, held by the cap %v): row %v, want draft %d", c.id, c.expense, c.granted, want.heldByCap, row, want.draft)
		}
		if want.heldByCap {
			changed++
		}
		delta += want.draft - c.granted
	}
	if changed == 0 || len(rows) != len(grants) || fen(out["delta_fen"]) != delta {
		t.Errorf("%d cases held by the cap, %d rows for %d grants, delta %v, want %d", changed, len(rows), len(grants), out["delta_fen"], delta)
	}
}

// capRaisedGrant is what MED-SERIOUS with an annual cap raised would have
// granted a case, and whether the old cap held its grant down.
type capRaisedGrant struct {
	draft     int64
	heldByCap bool
}

// capRaised folds grants, in the order they were recorded, under
// MED-SERIOUS with its annual cap of 60,000 yuan raised to capFen: a grant
// that took all the old rules allowed takes all the new ones allow, a
// smaller grant stays (at most the new limit), each counted against the
// employee's year as the new cap would have left it.
func capRaised(grants []seriousCase, capFen int64) []capRaisedGrant {
	oldPrior, newPrior := map[uuid.UUID]int64{}, map[uuid.UUID]int64{}
	out := make([]capRaisedGrant, len(grants))
	for i, c := range grants {
		tier := seriousTier(c.expense)
		oldLimit := min(tier, 60_000*yuan-oldPrior[c.employee])
		newLimit := min(tier, capFen-newPrior[c.employee])
		want := min(c.granted, newLimit)
		if c.granted == oldLimit {
			want = newLimit
		}
		out[i] = capRaisedGrant{draft: want, heldByCap: oldLimit < tier && c.granted == oldLimit}
		oldPrior[c.employee] += c.granted
		newPrior[c.employee] += want
	}
	return out
}

// checkUnchanged: a draft identical to the current version changes no row.
func checkUnchanged(t *testing.T, env *apptest.Env, base, token string) {
	t.Helper()
	full := map[string]any{"amount_rule": map[string]any{"kind": "tiered", "tiers": []map[string]any{
		{"min_expense_fen": 10_000 * yuan, "amount_fen": 5_000 * yuan}, {"min_expense_fen": 30_000 * yuan, "amount_fen": 10_000 * yuan},
		{"min_expense_fen": 50_000 * yuan, "amount_fen": 20_000 * yuan}, {"min_expense_fen": 100_000 * yuan, "amount_fen": 30_000 * yuan},
		{"min_expense_fen": 200_000 * yuan, "amount_fen": 40_000 * yuan}}},
		"annual_cap_fen": 60_000 * yuan, "max_times_per_year": 4, "required_documents": []string{"diagnosis", "invoice", "expense_list"},
		"budget_line": "aid.medical.serious", "beneficiaries": []string{"self"}}
	for _, draft := range []map[string]any{{}, full} {
		out := whatIfOver(t, env, base, token, draft)
		for id, row := range rowsByCase(out) {
			if fen(row["delta_fen"]) != 0 || row["eligible_before"] != row["eligible_after"] {
				t.Errorf("the current version replayed changes case %s: %v", id, row)
			}
		}
		if fen(out["delta_fen"]) != 0 || fen(out["cases"]) == 0 || fen(out["newly_eligible"])+fen(out["no_longer_eligible"]) != 0 {
			t.Errorf("the current version replayed: %v", out)
		}
	}
}

// The demo's stories replayed: raising the serious-illness cap changes
// exactly the cases the old cap held down; the current version replayed
// changes nothing; annual caps count in the order grants were recorded,
// not the order cases were opened; a case the cap refused, withdrawn, is
// granted by a draft that leaves room for it. Each analysis writes its
// record and nothing else.
func TestWhatIfOverTheDemoStories(t *testing.T) {
	for _, kind := range apptest.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			env, srv := demoOverHTTP(t, kind)
			admin := login(t, srv.URL, "admin")
			checkCapRaised(t, env, srv.URL, admin, 100_000*yuan)
			checkUnchanged(t, env, srv.URL, admin)

			// 小刘 files two cases: B (a 120,000-yuan bill, tier 30,000)
			// first, then A (260,000, tier 40,000); A is decided first,
			// which leaves B 20,000 of the cap.
			s := newStoryDesk(t, env, srv.URL)
			liu := s.employee("刘建平")
			b := s.open(liu, 120_000, 20_000)
			a := s.open(liu, 260_000, 40_000)
			s.grant(a, 40_000)
			s.grant(b, 20_000)
			checkUnchanged(t, env, srv.URL, admin)
			checkCapRaised(t, env, srv.URL, admin, 100_000*yuan)
			rows := rowsByCase(whatIfOver(t, env, srv.URL, admin, map[string]any{"annual_cap_fen": 65_000 * yuan}))
			if fen(rows[a.String()]["delta_fen"]) != 0 || fen(rows[b.String()]["draft_fen"]) != 25_000*yuan {
				t.Errorf("a cap of 65,000 yuan, counted in the order of the grants: A %v, B %v", rows[a.String()], rows[b.String()])
			}

			// Her cap used up, a third case is refused at submission and
			// withdrawn; a cap of 100,000 yuan would have granted it.
			c := s.open(liu, 100_000, 20_000)
			if _, err := env.App.SubmitCase(t.Context(), s.worker, commands.SubmitCase{CaseID: c}); err == nil {
				t.Fatal("a case over the annual cap was submitted")
			}
			if _, err := env.App.WithdrawCase(t.Context(), s.worker, commands.WithdrawCase{CaseID: c, Reason: "年度限额已用完"}); err != nil {
				t.Fatal(err)
			}
			out := whatIfOver(t, env, srv.URL, admin, map[string]any{"annual_cap_fen": 100_000 * yuan})
			row := rowsByCase(out)[c.String()]
			if row == nil || row["outcome"] != "refused" || fen(row["draft_fen"]) != 20_000*yuan || row["eligible_after"] != true ||
				fen(out["newly_eligible"]) != 1 {
				t.Errorf("the refused case under a cap of 100,000 yuan: %v (newly eligible %v)", row, out["newly_eligible"])
			}
			unchanged := whatIfOver(t, env, srv.URL, admin, map[string]any{})
			if rowsByCase(unchanged)[c.String()]["delta_fen"] != 0.0 {
				t.Errorf("the refused case under the current version: %v", rowsByCase(unchanged)[c.String()])
			}
		})
	}
}

// storyDesk files and decides MED-SERIOUS cases at 大秦车务段 as the
// demo's staff there do.
type storyDesk struct {
	t                          *testing.T
	env                        *apptest.Env
	worker, approver, bureauAp commands.Actor
	station                    uuid.UUID
}

func newStoryDesk(t *testing.T, env *apptest.Env, base string) *storyDesk {
	s := &storyDesk{t: t, env: env}
	for name, actor := range map[string]*commands.Actor{"dqcw-caseworker": &s.worker, "dqcw-approver": &s.approver, "bureau-approver": &s.bureauAp} {
		a, err := env.App.Authenticate(t.Context(), login(t, base, name))
		if err != nil {
			t.Fatal(err)
		}
		*actor = a
	}
	history, err := env.Store.ReadAll(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range history {
		var u org.UnitEstablished
		if e.Type == org.TypeUnitEstablished && event.Decode(e, &u) == nil && u.Code == "TYJ-dqcw" {
			s.station = u.UnitID
		}
	}
	return s
}

func (s *storyDesk) employee(name string) uuid.UUID {
	id, _, err := s.env.App.RegisterEmployee(s.t.Context(), s.worker, commands.RegisterEmployee{UnitID: s.station, Name: name,
		IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445"})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// open opens a MED-SERIOUS case for emp with its documents.
func (s *storyDesk) open(emp uuid.UUID, expenseYuan, requestedYuan int64) uuid.UUID {
	ctx := s.t.Context()
	id, _, err := s.env.App.OpenCase(ctx, s.worker, commands.OpenCase{EmployeeID: emp, Beneficiary: casework.RelationSelf,
		StandardCode: "MED-SERIOUS", Causes: []string{"serious_illness"}, ExpenseFen: expenseYuan * yuan,
		RequestedFen: requestedYuan * yuan, Description: "重大疾病治疗"})
	if err != nil {
		s.t.Fatal(err)
	}
	for i, kind := range []string{"diagnosis", "invoice", "expense_list"} {
		var img bytes.Buffer
		_ = png.Encode(&img, image.NewGray(image.Rect(0, 0, 2+i, 2)))
		if _, _, err := s.env.App.AddDocument(ctx, s.worker, commands.AddDocument{CaseID: id, Kind: kind, Content: img.Bytes()}); err != nil {
			s.t.Fatal(err)
		}
	}
	return id
}

// grant submits case id and approves amountYuan at both steps.
func (s *storyDesk) grant(id uuid.UUID, amountYuan int64) {
	ctx := s.t.Context()
	if _, err := s.env.App.SubmitCase(ctx, s.worker, commands.SubmitCase{CaseID: id}); err != nil {
		s.t.Fatal(err)
	}
	for _, st := range []struct {
		step string
		by   commands.Actor
	}{{"站段工会审核", s.approver}, {"路局工会审批", s.bureauAp}} {
		if _, err := s.env.App.DecideCase(ctx, st.by, commands.DecideCase{CaseID: id, Step: st.step, Decision: casework.Approve,
			AmountFen: amountYuan * yuan, Reason: "符合标准"}); err != nil {
			s.t.Fatal(err)
		}
	}
}
