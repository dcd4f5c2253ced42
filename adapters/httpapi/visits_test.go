package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// A condolence visit over HTTP, from registration to the auditor's trail:
// a visit past the budget's availability is 409 budget_exceeded and the
// log is as it was; the visit is charged, corrected with a reason (the
// refund follows), listed, and the budget's figures agree wherever they
// are read — the aggregate, the budgets list, the budget's trail — as
// does the visited employee's trail.
func TestAVisitOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, worker, root := f.api, f.tokens[actorCaseworker], f.rootToken()
		body := f.visitBody(f.stationA, f.workshopA) // 100 yuan each, 50 yuan of goods, a budget of 10,000 yuan
		budgetID, emp := body["budget_id"].(string), body["employee_ids"].([]string)[0]
		second := f.employee(f.workshopA)
		body["employee_ids"] = []string{emp, second}

		over := copyMap(body)
		over["cash_fen_each"] = 497_501 // 2 × 4,975.01 + 50 = 10,000.02 yuan
		before := s.head()
		problemOf(t, s.do(http.MethodPost, "/v1/visits", worker, over), http.StatusConflict, codeBudgetExceeded)
		if after := s.eventsAfter(before); len(after) != 0 {
			t.Fatalf("a visit past the budget wrote %v", types(after))
		}

		req := s.request(http.MethodPost, "/v1/visits", worker, body)
		req.Header.Set("Idempotency-Key", "spring-festival-"+budgetID)
		rec := s.serve(req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("register: %d %s", rec.Code, rec.Body)
		}
		id := jsonBody(t, rec)["id"].(string)
		if rec.Header().Get("Location") != "/v1/visits/"+id {
			t.Errorf("Location %q", rec.Header().Get("Location"))
		}
		retry := s.request(http.MethodPost, "/v1/visits", worker, body)
		retry.Header.Set("Idempotency-Key", "spring-festival-"+budgetID)
		if again := s.serve(retry); again.Code != http.StatusCreated || jsonBody(t, again)["id"] != id {
			t.Fatalf("the retry: %d %s", again.Code, again.Body)
		}
		wantBudget(t, f, budgetID, 25_000)

		s.must(http.StatusOK, http.MethodPost, "/v1/visits/"+id+"/correct", worker,
			map[string]any{"employee_ids": []string{emp}, "reason": "第二人当日出差，未慰问"})
		problemOf(t, s.do(http.MethodPost, "/v1/visits/"+id+"/correct", worker, map[string]any{"employee_ids": []string{emp}, "reason": "重复"}),
			http.StatusBadRequest, codeValidation)
		wantBudget(t, f, budgetID, 15_000)

		v := s.must(http.StatusOK, http.MethodGet, "/v1/visits/"+id, worker, nil)
		if v["total_fen"] != float64(15_000) || v["occasion"] != "festival" || len(v["employee_ids"].([]any)) != 1 || v["version"] != float64(2) {
			t.Fatalf("the visit: %v", v)
		}
		list := s.must(http.StatusOK, http.MethodGet, "/v1/visits?"+url.Values{"unit_id": {f.stationA}, "employee_id": {emp},
			"min_position": {strconv.FormatInt(s.head(), 10)}}.Encode(), worker, nil)
		if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["corrections"] != float64(1) {
			t.Fatalf("the list: %v", list)
		}
		problemOf(t, s.do(http.MethodGet, "/v1/visits?employee="+emp, worker, nil), http.StatusBadRequest, codeValidation)

		trail := s.must(http.StatusOK, http.MethodGet, "/v1/employees/"+second+"/trail", root, nil)["items"].([]any)
		if len(trail) != 2 || trail[0].(map[string]any)["type"] != "visit.registered" || trail[1].(map[string]any)["type"] != "visit.corrected" {
			t.Fatalf("the employee taken off the visit sees: %v", trail)
		}
		visitTrail := s.must(http.StatusOK, http.MethodGet, "/v1/visits/"+id+"/trail", root, nil)["items"].([]any)
		var charged []any
		for _, e := range visitTrail {
			charged = append(charged, e.(map[string]any)["type"])
		}
		if len(charged) != 4 || charged[1] != "budget.charged" || charged[3] != "budget.refunded" {
			t.Fatalf("the visit's trail: %v", charged)
		}
	})
}

// wantBudget checks that the budget spent spentFen of its 1,000,000, and
// that the aggregate, the budgets list and the last entry of the
// budget's trail say the same.
func wantBudget(t *testing.T, f *orgOverHTTP, id string, spentFen int64) {
	t.Helper()
	s, root := f.api, f.rootToken()
	b := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+id, root, nil)
	want := map[string]any{"allocated_fen": float64(1_000_000), "reserved_fen": float64(0), "spent_fen": float64(spentFen),
		"available_fen": float64(1_000_000 - spentFen)}
	for k, v := range want {
		if b[k] != v {
			t.Fatalf("the budget's %s = %v, want %v: %v", k, b[k], v, b)
		}
	}
	head := strconv.FormatInt(s.head(), 10)
	var listed map[string]any
	for _, it := range s.must(http.StatusOK, http.MethodGet, "/v1/budgets?"+url.Values{"unit_id": {f.root}, "limit": {"500"},
		"min_position": {head}}.Encode(), root, nil)["items"].([]any) {
		if m := it.(map[string]any); m["id"] == id {
			listed = m
		}
	}
	trail := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+id+"/trail?limit=500&min_position="+head, root, nil)["items"].([]any)
	last := trail[len(trail)-1].(map[string]any)["budget"].(map[string]any)
	for k, v := range want {
		if listed[k] != v || last[k] != v {
			t.Fatalf("%s: the list says %v, the trail %v, the budget %v", k, listed[k], last[k], v)
		}
	}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Statistics count visits where they were made, under the line of their
// budget and the month of their day; grouped by category they count
// nothing, since a visit has none.
func TestVisitsInStatistics(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		inA := f.visitBody(f.stationA, f.workshopA)
		s.create("/v1/visits", f.tokens[actorCaseworker], inA)
		s.create("/v1/visits", f.visitWorker(), f.visitBody(f.stationB, f.workshopB))
		head := strconv.FormatInt(s.head(), 10)
		byUnit := s.must(http.StatusOK, http.MethodGet, "/v1/stats?"+url.Values{"dimensions": {"unit,line,month"},
			"unit_id": {f.root}, "min_position": {head}}.Encode(), root, nil)["rows"].([]any)
		got := map[string]map[string]any{}
		for _, r := range byUnit {
			m := r.(map[string]any)
			got[m["unit_id"].(string)] = m
		}
		month := inA["visited_on"].(string)[:7]
		for _, unit := range []string{f.stationA, f.stationB} {
			m := got[unit]
			if len(byUnit) != 2 || m["visits"] != float64(1) || m["visited_employees"] != float64(1) || m["visit_fen"] != float64(15_000) ||
				m["cases"] != float64(0) || m["month"] != month || !strings.HasPrefix(m["budget_line"].(string), "care.visits.") {
				t.Fatalf("by unit, line and month: %v", byUnit)
			}
		}
		total := s.must(http.StatusOK, http.MethodGet, "/v1/stats?unit_id="+f.stationA, root, nil)["rows"].([]any)[0].(map[string]any)
		if total["visits"] != float64(1) || total["visit_fen"] != float64(15_000) {
			t.Fatalf("station A's totals: %v", total)
		}
		for _, r := range s.must(http.StatusOK, http.MethodGet, "/v1/stats?dimensions=category", root, nil)["rows"].([]any) {
			if r.(map[string]any)["visits"] != float64(0) {
				t.Fatalf("by category: %v", r)
			}
		}
	})
}
