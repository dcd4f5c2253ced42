package httpapi

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
)

// An auditor follows a paid grant's money: the case's trail sums to what
// was paid, the payment's trail opens with the approval that allowed it,
// the budget's running figures end where the budget stands, the
// employee's trail holds the annual cap used, and as_of cuts each trail
// where the history stood. Every trail read leaves exactly one record.
func TestAuditorFollowsTheMoney(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		auditor := f.tokens[actorAuditor]
		pid := f.instructed(f.empA)
		pay := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+pid, auditor, nil)
		caseID, budgetID := pay["case_id"].(string), pay["budget_id"].(string)
		beforeConfirm := s.head()
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+pid+"/confirm", f.rootToken(), map[string]any{"bank_ref": "BOC-20260301-1"})
		now := url.Values{"min_position": {strconv.FormatInt(s.head(), 10)}}

		read := func(path string, q url.Values) []map[string]any {
			t.Helper()
			token := auditor
			if strings.HasPrefix(path, "/v1/budgets/") {
				token = f.rootToken() // the grant's budget is the root's, above the auditor at A
			}
			before := s.head()
			items := s.everyPage(path, token, q, 2)
			pages := max(1, (len(items)+1)/2)
			if reads := countOf(s.eventsAfter(before), query.TypeTrailRead); reads != pages {
				t.Errorf("GET %s in %d pages recorded %d reads", path, pages, reads)
			}
			return items
		}
		types := func(items []map[string]any) map[string]int {
			out := map[string]int{}
			for _, it := range items {
				out[it["type"].(string)]++
			}
			return out
		}
		fen := func(it map[string]any) int64 {
			v, _ := it["amount_fen"].(float64)
			return int64(v)
		}

		caseTrail := read("/v1/cases/"+caseID+"/trail", now)
		leaves := map[float64]string{}
		for _, e := range s.eventsAfter(0) {
			h := event.LeafHash(e)
			leaves[float64(e.Position)] = hex.EncodeToString(h[:])
		}
		var paid int64
		for _, it := range caseTrail {
			if it["leaf_hash"] != leaves[it["position"].(float64)] {
				t.Errorf("entry at %v has leaf hash %v; the event's is %s", it["position"], it["leaf_hash"], leaves[it["position"].(float64)])
			}
			if it["type"] == casework.TypeCasePaymentConfirmed {
				paid += fen(it)
			}
			if len(it["leaf_hash"].(string)) != 64 || it["actor"].(map[string]any)["account_id"] == nil {
				t.Errorf("entry without leaf hash or actor: %v", it)
			}
		}
		c := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+caseID, auditor, nil)
		if paid != int64(c["paid_fen"].(float64)) || paid != grantFen {
			t.Fatalf("the case's trail pays %d; the case says %v, the grant was %d", paid, c["paid_fen"], grantFen)
		}
		if n := types(caseTrail); n[casework.TypeCaseOpened] != 1 || n[budget.TypeReserved] != 1 || n[budget.TypeSpent] != 1 || n[payment.TypeInstructed] != 1 {
			t.Errorf("the case's trail holds %v", n)
		}

		payTrail := read("/v1/payments/"+pid+"/trail", now)
		if payTrail[0]["type"] != casework.TypeCaseStepDecided || types(payTrail)[casework.TypeCaseApproved] != 1 ||
			payTrail[len(payTrail)-1]["type"] != payment.TypeConfirmed && payTrail[len(payTrail)-1]["type"] != budget.TypeSpent {
			t.Errorf("the payment's trail runs %v", column(payTrail, "type"))
		}

		budgetTrail := read("/v1/budgets/"+budgetID+"/trail", now)
		last := budgetTrail[len(budgetTrail)-1]["budget"].(map[string]any)
		b := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+budgetID, f.rootToken(), nil)
		for _, k := range []string{"allocated_fen", "reserved_fen", "spent_fen", "available_fen"} {
			if last[k] != b[k] {
				t.Errorf("the budget's trail ends with %s %v; the budget says %v", k, last[k], b[k])
			}
		}

		empTrail := read("/v1/employees/"+f.empA+"/trail", now)
		if n := types(empTrail); n[casework.TypeAidApproved] != 1 || n[casework.TypeCaseOpened] < 1 {
			t.Errorf("the employee's trail holds %v", n)
		}

		then := read("/v1/cases/"+caseID+"/trail", url.Values{"as_of": {"position:" + strconv.FormatInt(beforeConfirm, 10)}})
		for _, it := range then {
			if int64(it["position"].(float64)) > beforeConfirm {
				t.Fatalf("as_of position:%d shows position %v", beforeConfirm, it["position"])
			}
		}
		if len(then) >= len(caseTrail) || types(then)[casework.TypeCasePaymentConfirmed] != 0 {
			t.Errorf("as of before the confirmation the trail holds %v", column(then, "type"))
		}

		s.deniedOnRecord("an auditor of A reading the root's budget's trail",
			s.request(http.MethodGet, "/v1/budgets/"+budgetID+"/trail", auditor, nil))
		s.deniedOnRecord("a caseworker reading a budget's trail",
			s.request(http.MethodGet, "/v1/budgets/"+budgetID+"/trail", f.tokens[actorCaseworker], nil))
		s.deniedOnRecord("an analyst reading an employee's trail",
			s.request(http.MethodGet, "/v1/employees/"+f.empA+"/trail", f.tokens[actorAnalyst], nil))
	})
}

// trailMatrixRows: each trail is read by those who may read its subject,
// inside their subtree (an employee's by the employee and audit.read);
// every read is recorded, a refusal too.
func trailMatrixRows() []matrixRow {
	caseRead := readPerms
	return []matrixRow{
		{route: "GET /v1/cases/{id}/trail", perms: caseRead, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.submitted(f.ownOr(sc)) + "/trail"}
			}},
		{route: "GET /v1/payments/{id}/trail", perms: caseRead, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/" + f.instructed(f.ownOr(sc)) + "/trail"}
			}},
		{route: "GET /v1/budgets/{id}/trail", perms: perms(access.BudgetReadPermissions()...), allowed: moneyReaders, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/budgets/" + f.budget(pick(sc, f.workshopA, f.workshopB)) + "/trail"}
			}},
		{route: "GET /v1/employees/{id}/trail", perms: perms(access.PermAuditRead), allowed: []access.Role{access.RoleBureauAdmin, access.RoleAuditor},
			self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + f.ownOr(sc) + "/trail"}
			}},
	}
}
