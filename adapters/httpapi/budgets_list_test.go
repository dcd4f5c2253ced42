package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
)

// budgetListMatrixRows: GET /v1/budgets for every actor of the matrix.
// Each cell allocates one budget line at stations A and B; the caller sees
// the budgets of its own subtree only (A's for the roles at A, both for
// the root's administrator). An employee's own account, which holds no
// position, is refused, on the record like every refusal.
func budgetListMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "GET /v1/budgets", perms: access.BudgetReadPermissions(), allowed: moneyReaders, ok: 200, scopes: []scope{scopeNone},
			list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				line := f.uniq("aid.list.")
				for _, unit := range []string{f.stationA, f.stationB} {
					f.api.create("/v1/budgets", f.rootToken(), budgetBody(unit, line))
				}
				return cell{path: "/v1/budgets?" + url.Values{"line": {line}, "limit": {"500"},
					"min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode()}
			},
			verify: func(t *testing.T, f *orgOverHTTP, a matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				var units []string
				for _, it := range jsonBody(t, rec)["items"].([]any) {
					units = append(units, it.(map[string]any)["unit_id"].(string))
				}
				want := []string{f.stationA}
				if a.atRoot {
					want = append(want, f.stationB)
				}
				if !slices.Equal(units, want) {
					t.Errorf("%s sees the budgets of %v, want %v: %s", a.name, units, want, rec.Body)
				}
			}},
	}
}

// GET /v1/budgets lists, from the budgets read model, the budgets in the
// caller's subtrees with the figures GET /v1/budgets/{id} gives, filtered
// by unit, year and line and paged; bad parameters are 400 naming the
// field and write nothing.
func TestListBudgetsOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		w := f.cases() // the root's budgets, one per line; GRANT cases draw on aid.grant
		root := f.rootToken()
		year := calendar.Year(time.Now())
		budgetAt := func(unit string, year int) string {
			return s.create("/v1/budgets", root, map[string]any{"unit_id": unit, "year": year, "line": "aid.grant", "amount_fen": 50_000_000})
		}
		atA, atWorkshop, atB, nextYear := budgetAt(f.stationA, year), budgetAt(f.workshopA, year), budgetAt(f.stationB, year), budgetAt(f.stationA, year+1)
		// Money moves at station A, whose own budget pays its grants: a
		// grant approved, its payment failed (the reservation stays for
		// the next attempt), paid again and confirmed; the allocation
		// increased.
		pay := f.instructed(f.empA)
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+pay+"/fail", root, map[string]any{"reason": "账户冻结"})
		caseID := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+pay, root, nil)["case_id"].(string)
		failed := s.must(http.StatusOK, http.MethodGet, "/v1/budgets?unit_id="+f.stationA+"&year="+strconv.Itoa(year)+
			"&min_position="+strconv.FormatInt(s.head(), 10), root, nil)["items"].([]any)[0].(map[string]any)
		if failed["reserved_fen"] != float64(grantFen) || failed["spent_fen"] != float64(0) {
			t.Errorf("station A's budget after a failed payment: %v", failed)
		}
		again := s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+caseID+"/payments", root, map[string]any{"amount_fen": grantFen})
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+again["payment_id"].(string)+"/confirm", root, map[string]any{"bank_ref": "BOC0001"})
		s.must(http.StatusOK, http.MethodPost, "/v1/budgets/"+atA+"/increase", root, map[string]any{"amount_fen": 7_000, "reason": "追加"})
		pos := strconv.FormatInt(s.head(), 10)

		list := func(token, query string) []map[string]any {
			t.Helper()
			q, _ := url.ParseQuery(query)
			q.Set("min_position", pos)
			return s.everyPage("/v1/budgets", token, q, 1)
		}
		ids := func(items []map[string]any) []string { return column(items, "id") }
		same := func(what string, got, want []string) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", what, got, want)
			}
		}
		rootBudgets := make([]string, 0, len(w.budgets))
		for _, id := range w.budgets {
			rootBudgets = append(rootBudgets, id)
		}
		everything := list(root, "")
		for _, it := range everything {
			one := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+it["id"].(string), root, nil)
			for _, k := range []string{"unit_id", "year", "line", "allocated_fen", "reserved_fen", "spent_fen", "available_fen"} {
				if it[k] != one[k] {
					t.Errorf("budget %s: %s is %v in the list, %v alone", it["id"], k, it[k], one[k])
				}
			}
		}
		got := ids(everything)
		for _, id := range append(rootBudgets, atA, atWorkshop, atB, nextYear) {
			if !slices.Contains(got, id) {
				t.Errorf("the root's administrator does not see budget %s", id)
			}
		}
		if len(got) != len(rootBudgets)+4 {
			t.Errorf("the root's administrator sees %d budgets, want %d", len(got), len(rootBudgets)+4)
		}

		inA := []string{atA, atWorkshop, nextYear}
		same("the auditor at A", ids(list(f.tokens[actorAuditor], "")), inA)
		same("the analyst at A", ids(list(f.tokens[actorAnalyst], "")), inA)
		same("the administrator at A", ids(list(f.tokens[actorAdminA], "")), inA)
		same("station A's own", ids(list(root, "unit_id="+f.stationA)), []string{atA, nextYear})
		same("station A's own this year", ids(list(root, "unit_id="+f.stationA+"&year="+strconv.Itoa(year))), []string{atA})
		same("next year", ids(list(root, "year="+strconv.Itoa(year+1))), []string{nextYear})
		same("the grant line at A", ids(list(f.tokens[actorAuditor], "line=aid.grant")), inA)
		same("the auditor at A asking for B", ids(list(f.tokens[actorAuditor], "unit_id="+f.stationB)), nil)
		same("a line nobody has", ids(list(root, "line=aid.none")), nil)
		if a := list(root, "unit_id="+f.stationA+"&year="+strconv.Itoa(year))[0]; a["allocated_fen"] != float64(50_000_000+7_000) ||
			a["spent_fen"] != float64(grantFen) || a["reserved_fen"] != float64(0) || a["available_fen"] != float64(50_000_000+7_000-grantFen) {
			t.Errorf("station A's budget after a paid grant and an increase: %v", a)
		}

		for _, token := range []string{f.tokens[actorCaseworker], f.tokens[actorEmployee]} {
			problemOf(t, s.do(http.MethodGet, "/v1/budgets", token, nil), http.StatusForbidden, codeForbidden)
		}

		for query, field := range map[string]string{
			"cursor=abc": "cursor", "cursor=0": "cursor", "cursor=-5": "cursor", "unit_id=xyz": "unit_id",
			"unit_id=" + f.stationA + "&unit_id=" + f.stationB: "unit_id", "year=abc": "year", "year=1999": "year",
			"year=2101": "year", "line=Aid.Grant": "line", "line=" + strings.Repeat("a", 65): "line", "limit=0": "limit",
			"limit=501": "limit", "min_position=-1": "min_position",
		} {
			if p := s.refused(query, s.request(http.MethodGet, "/v1/budgets?"+query, root, nil), http.StatusBadRequest, codeValidation); p.Field != field {
				t.Errorf("%s: field %q, want %q", query, p.Field, field)
			}
		}
	})
}
