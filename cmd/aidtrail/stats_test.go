package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/httpapi"
	"aidtrail/cmd/aidtrail/internal/demo"
	"aidtrail/domain/calendar"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
)

// The statistics of the demo (F10), asked over HTTP by the bureau's
// analyst for several groupings, equal the figures folded here in plain
// Go from the whole event history: every case once per group (once per
// cause when grouped by cause), what its final approval granted, what the
// bank confirmed, distinct employees, units rolled up to the children of
// the scope; and the condolence visits as their corrections leave them,
// by unit, line and month.
func TestStatsOfTheDemoMatchTheHistory(t *testing.T) {
	for _, kind := range apptest.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			env, srv := demoOverHTTP(t, kind)
			ctx := t.Context()
			token := login(t, srv.URL, "analyst")

			var history []event.Recorded
			for after := int64(0); ; {
				batch, err := env.Store.ReadAll(ctx, after, 1000)
				if err != nil {
					t.Fatal(err)
				}
				if len(batch) == 0 {
					break
				}
				history = append(history, batch...)
				after = batch[len(batch)-1].Position
			}
			f := foldHistory(t, history)
			if len(f.cases) != 11 {
				t.Fatalf("the demo has %d cases, want the stories' 11", len(f.cases))
			}
			root, station := f.root(), uuid.Nil
			for _, c := range f.cases {
				station = c.unit // a station with cases
			}
			month := time.Now().In(calendar.Zone)
			for _, q := range []statsQuery{
				{},
				{dims: "unit"},
				{dims: "category"},
				{dims: "cause"},
				{dims: "standard"},
				{dims: "line"},
				{dims: "month"},
				{dims: "unit,category,cause"},
				{dims: "line,unit"},
				{dims: "unit,category,cause,standard,line,month"},
				{dims: "unit,standard", unit: station},
				{dims: "cause,line", unit: root, from: month.Format("2006-01"), to: month.Format("2006-01")},
				{dims: "category", to: month.AddDate(0, -1, 0).Format("2006-01")},
			} {
				got := getStats(t, srv.URL, token, q)
				want := f.rows(q, root)
				if !slices.Equal(got, want) {
					t.Errorf("%+v:\n got %v\nwant %v", q, got, want)
				}
			}
			total := getStats(t, srv.URL, token, statsQuery{})
			if len(total) != 1 || !strings.Contains(total[0], "cases=11 ") || !strings.Contains(total[0], "visits=2 visited_employees=3 ") {
				t.Errorf("totals %v", total)
			}
			if byLine := getStats(t, srv.URL, token, statsQuery{dims: "line"}); !slices.ContainsFunc(byLine, func(r string) bool {
				return strings.HasPrefix(r, "budget_line="+demo.VisitsLine+" cases=0 ") && strings.Contains(r, " visits=2 ")
			}) {
				t.Errorf("the demo's visits by line: %v", byLine)
			}
		})
	}
}

type statsQuery struct {
	dims, from, to string
	unit           uuid.UUID
}

var statsDims = []struct{ name, key string }{
	{"unit", "unit_id"}, {"category", "category"}, {"cause", "cause"},
	{"standard", "standard_code"}, {"line", "budget_line"}, {"month", "month"},
}

// getStats asks GET /v1/stats and returns its rows, each as one line of
// text, sorted.
func getStats(t *testing.T, base, token string, q statsQuery) []string {
	t.Helper()
	v := url.Values{}
	for name, val := range map[string]string{"dimensions": q.dims, "from": q.from, "to": q.to} {
		if val != "" {
			v.Set(name, val)
		}
	}
	if q.unit != uuid.Nil {
		v.Set("unit_id", q.unit.String())
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/stats?"+v.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/stats?%s: %d %v", v.Encode(), resp.StatusCode, err)
	}
	var out []string
	for _, r := range body.Rows {
		var b strings.Builder
		for _, d := range statsDims {
			if val, ok := r[d.key]; ok {
				fmt.Fprintf(&b, "%s=%v ", d.key, val)
			}
		}
		for _, m := range []string{"cases", "employees", "approved_fen", "paid_fen", "visits", "visited_employees", "visit_fen"} {
			fmt.Fprintf(&b, "%s=%.0f ", m, r[m].(float64))
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

// demoOverHTTP loads the demo on a store of kind, brings the read models
// level with it and serves the API; the server closes when t ends.
func demoOverHTTP(t *testing.T, kind string) (*apptest.Env, *httptest.Server) {
	t.Helper()
	env := apptest.New(t, kind)
	if _, err := demo.Load(t.Context(), env.App, env.Query); err != nil {
		t.Fatal(err)
	}
	runner := readmodeltest.Start(t, env)
	readmodeltest.CaughtUp(t, env, runner)
	h, err := httpapi.NewHandler(httpapi.Deps{Store: env.Store, App: env.App, Query: readmodeltest.Query(t, env), ReadModels: runner,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return env, srv
}

func login(t *testing.T, base, name string) string {
	t.Helper()
	body := strings.NewReader(`{"login":"` + name + `","password":"` + demo.Password + `"}`)
	resp, err := http.Post(base+"/v1/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %d %v", name, resp.StatusCode, err)
	}
	return out.Token
}

// historyFold is what the statistics must say, folded from the events'
// JSON with nothing of the projection's: the organisation as it is at the
// end, the budget line of every standard version, and every case; every
// budget's line and every condolence visit as its corrections leave it.
type historyFold struct {
	parent  map[uuid.UUID]uuid.UUID
	lines   map[string]map[int]string
	latest  map[string]int
	cases   map[string]*foldedCase
	budgets map[uuid.UUID]string
	visits  map[string]*foldedVisit
}

type foldedVisit struct {
	unit                uuid.UUID
	line, month         string
	employees, totalFen int64
}

type foldedCase struct {
	unit, employee                  uuid.UUID
	category, standard, line, month string
	causes                          []string
	approved, paid                  int64
}

func foldHistory(t *testing.T, history []event.Recorded) *historyFold {
	t.Helper()
	f := &historyFold{parent: map[uuid.UUID]uuid.UUID{}, lines: map[string]map[int]string{}, latest: map[string]int{},
		cases: map[string]*foldedCase{}, budgets: map[uuid.UUID]string{}, visits: map[string]*foldedVisit{}}
	cst := calendar.Zone
	for _, e := range history {
		var p struct {
			UnitID          uuid.UUID  `json:"unit_id"`
			ParentID        *uuid.UUID `json:"parent_id"`
			Code            string     `json:"code"`
			Version         int        `json:"version"`
			BudgetLine      string     `json:"budget_line"`
			EmployeeID      uuid.UUID  `json:"employee_id"`
			StandardCode    string     `json:"standard_code"`
			Category        string     `json:"category"`
			Causes          []string   `json:"causes"`
			StandardVersion int        `json:"standard_version"`
			AmountFen       int64      `json:"amount_fen"`
			BudgetID        uuid.UUID  `json:"budget_id"`
			Line            string     `json:"line"`
			VisitedOn       string     `json:"visited_on"`
			EmployeeIDs     []string   `json:"employee_ids"`
			TotalFen        int64      `json:"total_fen"`
		}
		kind, _, _ := strings.Cut(e.Type, ".")
		if !slices.Contains([]string{"unit", "standard", "case", "budget", "visit"}, kind) {
			continue
		}
		if err := json.Unmarshal(e.Data, &p); err != nil {
			t.Fatalf("%s: %v", e.Type, err)
		}
		c := f.cases[e.Stream]
		switch e.Type {
		case "unit.established", "unit.moved":
			unit := uuid.MustParse(strings.TrimPrefix(e.Stream, "unit-"))
			if p.ParentID != nil {
				f.parent[unit] = *p.ParentID
			} else {
				f.parent[unit] = uuid.Nil
			}
		case "standard.published", "standard.revised":
			if f.lines[p.Code] == nil {
				f.lines[p.Code] = map[int]string{}
			}
			f.lines[p.Code][p.Version] = p.BudgetLine
			f.latest[p.Code] = max(f.latest[p.Code], p.Version)
		case "case.opened":
			at := e.Metadata.OccurredAt
			if at.IsZero() {
				at = e.RecordedAt
			}
			f.cases[e.Stream] = &foldedCase{unit: p.UnitID, employee: p.EmployeeID, category: p.Category, standard: p.StandardCode,
				line: f.lines[p.StandardCode][f.latest[p.StandardCode]], month: at.In(cst).Format("2006-01"), causes: p.Causes}
		case "case.submitted":
			c.line = f.lines[c.standard][p.StandardVersion]
		case "case.approved":
			c.approved = p.AmountFen
		case "case.payment_confirmed":
			c.paid += p.AmountFen
		case "budget.allocated":
			f.budgets[p.BudgetID] = p.Line
		case "visit.registered":
			f.visits[e.Stream] = &foldedVisit{unit: p.UnitID, line: f.budgets[p.BudgetID]}
			fallthrough
		case "visit.corrected":
			v := f.visits[e.Stream]
			v.month, v.employees, v.totalFen = p.VisitedOn[:7], int64(len(p.EmployeeIDs)), p.TotalFen
		}
	}
	return f
}

func (f *historyFold) root() uuid.UUID {
	for u, p := range f.parent {
		if p == uuid.Nil {
			return u
		}
	}
	return uuid.Nil
}

// rows are the rows q must answer for an analyst at root, in getStats's
// form.
func (f *historyFold) rows(q statsQuery, root uuid.UUID) []string {
	scope := q.unit
	if scope == uuid.Nil {
		scope = root
	}
	asked := map[string]bool{}
	for _, d := range strings.Split(q.dims, ",") {
		asked[d] = d != ""
	}
	type acc struct {
		cases, approved, paid     int64
		employees                 map[uuid.UUID]bool
		visits, visited, visitFen int64
	}
	groups := map[string]*acc{}
	childOf := func(unit uuid.UUID) uuid.UUID { // the child of scope unit is under, or scope itself
		for u := unit; u != uuid.Nil; u = f.parent[u] {
			if u == scope || f.parent[u] == scope {
				return u
			}
		}
		return uuid.Nil
	}
	accOf := func(values map[string]string) *acc {
		var b strings.Builder
		for _, d := range statsDims {
			if asked[d.name] {
				fmt.Fprintf(&b, "%s=%s ", d.key, values[d.name])
			}
		}
		a := groups[b.String()]
		if a == nil {
			a = &acc{employees: map[uuid.UUID]bool{}}
			groups[b.String()] = a
		}
		return a
	}
	outside := func(month string) bool { return q.from != "" && month < q.from || q.to != "" && month > q.to }
	for _, c := range f.cases {
		group := childOf(c.unit)
		if group == uuid.Nil || outside(c.month) {
			continue
		}
		causes := []string{""}
		if asked["cause"] && len(c.causes) > 0 {
			causes = c.causes
		}
		for _, cause := range causes {
			a := accOf(map[string]string{"unit": group.String(), "category": c.category, "cause": cause,
				"standard": c.standard, "line": c.line, "month": c.month})
			a.cases++
			a.approved += c.approved
			a.paid += c.paid
			a.employees[c.employee] = true
		}
	}
	// Visits have no category, cause or standard: grouped by any of
	// those, they count nowhere.
	if !asked["category"] && !asked["cause"] && !asked["standard"] {
		for _, v := range f.visits {
			group := childOf(v.unit)
			if group == uuid.Nil || outside(v.month) {
				continue
			}
			a := accOf(map[string]string{"unit": group.String(), "line": v.line, "month": v.month})
			a.visits++
			a.visited += v.employees
			a.visitFen += v.totalFen
		}
	}
	var out []string
	for key, a := range groups {
		out = append(out, fmt.Sprintf("%scases=%d employees=%d approved_fen=%d paid_fen=%d visits=%d visited_employees=%d visit_fen=%d ",
			key, a.cases, len(a.employees), a.approved, a.paid, a.visits, a.visited, a.visitFen))
	}
	if q.dims == "" && len(out) == 0 {
		out = append(out, "cases=0 employees=0 approved_fen=0 paid_fen=0 visits=0 visited_employees=0 visit_fen=0 ")
	}
	slices.Sort(out)
	return out
}
