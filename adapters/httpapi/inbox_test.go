package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/access"
)

// GET /v1/inbox pages, from the inbox read model, the steps waiting on the
// caller, oldest turn first, with the amount under review; a decision
// takes a step out, a hand-over on a vacated position moves it to the
// successor; bad parameters are 400 naming the field.
func TestInboxOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		f.cases()
		approver := f.tokens[actorApprover]
		var cases []string
		for range 3 {
			cases = append(cases, f.submitted(f.empA))
		}
		f.submitted(f.empB) // waits on the root's approver, not on approver@A

		inbox := func(token string, limit int) []map[string]any {
			t.Helper()
			return s.everyPage("/v1/inbox", token, url.Values{"min_position": {strconv.FormatInt(s.head(), 10)}}, limit)
		}
		caseIDs := func(items []map[string]any) []string { return column(items, "case_id") }
		mine := inbox(approver, 2)
		if got := caseIDs(mine); len(got) != 3 || got[0] != cases[0] || got[1] != cases[1] || got[2] != cases[2] {
			t.Fatalf("approver@A's inbox %v, want %v in the order submitted", got, cases)
		}
		for _, it := range mine {
			since, err := time.Parse(time.RFC3339, it["waiting_since"].(string))
			if it["step"] != "审核" || it["unit_id"] != f.stationA || it["employee_id"] != f.empA ||
				it["standard_code"] != grantCode || it["amount_fen"] != float64(grantFen) || err != nil || time.Since(since) > time.Hour {
				t.Errorf("inbox item %v", it)
			}
		}
		if got := inbox(f.cases().approverRoot, 10); len(got) != 1 || got[0]["unit_id"] != f.stationB {
			t.Errorf("the root's approver's inbox %v, want the case at B", got)
		}
		for _, token := range []string{f.tokens[actorCaseworker], f.tokens[actorEmployee], f.rootToken()} {
			if got := inbox(token, 50); len(got) != 0 {
				t.Errorf("an inbox holds %v, want none", got)
			}
		}

		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+cases[1]+"/decisions", approver,
			map[string]any{"step": "审核", "decision": "return", "reason": "补充材料"})
		if got := caseIDs(inbox(approver, 50)); len(got) != 2 || got[0] != cases[0] || got[1] != cases[2] {
			t.Fatalf("after returning %s: %v", cases[1], got)
		}

		// The approver leaves; the successor takes over what waits.
		succ := f.account(f.rootToken(), "", "approver.next", nil)
		s.create("/v1/accounts/"+succ+"/positions", f.rootToken(), position(f.stationA, access.RoleApprover))
		succToken := s.login("approver.next")
		positions := accountPositions(t, f, f.actor(actorApprover).AccountID)
		out := s.must(http.StatusOK, http.MethodPost, "/v1/accounts/"+f.actor(actorApprover).AccountID.String()+"/positions/"+
			positions[0].String()+"/vacate", f.rootToken(), map[string]any{"successor_account_id": succ, "reason": "调岗"})
		if h := out["handed_over"].([]any); len(h) != 3 { // the two in review and the returned one
			t.Fatalf("handed over %v", h)
		}
		if got := inbox(approver, 50); len(got) != 0 {
			t.Errorf("the former approver's inbox %v", got)
		}
		if got := caseIDs(inbox(succToken, 1)); len(got) != 2 || got[0] != cases[0] || got[1] != cases[2] {
			t.Errorf("the successor's inbox %v", got)
		}
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+cases[1]+"/submit", f.cases().cwRoot, nil)
		if got := caseIDs(inbox(succToken, 50)); len(got) != 3 || got[2] != cases[1] {
			t.Errorf("after resubmission the successor's inbox %v, want the resubmitted case last", got)
		}

		for query, field := range map[string]string{
			"cursor=abc": "cursor", "cursor=0": "cursor", "cursor=1&cursor=2": "cursor", "limit=0": "limit",
			"limit=501": "limit", "limit=x": "limit", "min_position=-1": "min_position",
		} {
			p := problemOf(t, s.do(http.MethodGet, "/v1/inbox?"+query, approver, nil), http.StatusBadRequest, codeValidation)
			if p.Field != field {
				t.Errorf("%s: field %q, want %q", query, p.Field, field)
			}
		}
	})
}

// accountPositions returns the ids of an account's active positions, from
// its stream.
func accountPositions(t *testing.T, f *orgOverHTTP, id uuid.UUID) []uuid.UUID {
	t.Helper()
	history, err := f.api.env.Store.ReadStream(t.Context(), access.AccountStream(id), 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := access.LoadAccount(id, history)
	if err != nil {
		t.Fatal(err)
	}
	var out []uuid.UUID
	for _, p := range a.ActivePositions() {
		out = append(out, p.ID)
	}
	return out
}
