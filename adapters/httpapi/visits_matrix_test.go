package httpapi

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/visit"
)

// Condolence visits in the authorisation matrix: caseworkers register and
// correct them; those who register, file or decide cases, hold the money
// or audit read them; those who read statistics read the list without
// anyone named.

var (
	visitReaders     = []access.Role{access.RoleBureauAdmin, access.RoleCaseworker, access.RoleApprover, access.RoleAuditor}
	visitListReaders = access.Roles()
)

// visitWorkers holds, per fixture, the token of a caseworker at the root,
// who registers the visits of station B that the matrix reads.
var (
	visitWorkersMu sync.Mutex
	visitWorkers   = map[*int]string{}
)

func (f *orgOverHTTP) visitWorker() string {
	visitWorkersMu.Lock()
	defer visitWorkersMu.Unlock()
	if token, ok := visitWorkers[f.seq]; ok {
		return token
	}
	login := f.uniq("visits.")
	id := f.account(f.rootToken(), "", login, nil)
	f.api.create("/v1/accounts/"+id+"/positions", f.rootToken(), position(f.root, access.RoleCaseworker))
	visitWorkers[f.seq] = f.api.login(login)
	return visitWorkers[f.seq]
}

// visitBody is a Spring Festival visit by unit to a fresh employee of
// employeeUnit, 100 yuan each and a bag of goods, charged to a fresh
// visits budget of the root for this year; the pool account went.
func (f *orgOverHTTP) visitBody(unit, employeeUnit string) map[string]any {
	year := calendar.Year(time.Now())
	budget := f.api.create("/v1/budgets", f.rootToken(), map[string]any{"unit_id": f.root, "year": year,
		"line": f.uniq("care.visits."), "amount_fen": 1_000_000})
	return map[string]any{"unit_id": unit, "occasion": "festival",
		"visited_on": time.Now().In(calendar.Zone).Format(visit.DateLayout), "employee_ids": []string{f.employee(employeeUnit)},
		"cash_fen_each": 10_000, "goods": []map[string]any{{"description": "米面油", "value_fen": 5_000}},
		"visitors": []string{f.pool}, "budget_id": budget}
}

// visitIn registers a visit in station A's subtree (sc A) or B's, as a
// caseworker who may, and returns its id.
func (f *orgOverHTTP) visitIn(sc scope) string {
	if sc.inA {
		return f.api.create("/v1/visits", f.tokens[actorCaseworker], f.visitBody(f.stationA, f.workshopA))
	}
	return f.api.create("/v1/visits", f.visitWorker(), f.visitBody(f.stationB, f.workshopB))
}

func visitMatrixRows() []matrixRow {
	register := perms(access.PermVisitsRegister)
	reads := perms(access.VisitReadPermissions()...)
	return []matrixRow{
		{route: "POST /v1/visits", perms: register, allowed: []access.Role{access.RoleCaseworker}, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/visits", body: f.visitBody(pick(sc, f.stationA, f.stationB), pick(sc, f.workshopA, f.workshopB))}
			}},
		{route: "GET /v1/visits", perms: append(reads, access.PermStatsRead), allowed: visitListReaders, ok: 200,
			scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				inA, inB := f.visitIn(scopeA), f.visitIn(scopeB)
				return cell{path: "/v1/visits?" + url.Values{"limit": {"500"}, "min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode(),
					made: []string{inA, inB}}
			},
			verify: visitsListed},
		{route: "GET /v1/visits/{id}", perms: reads, allowed: visitReaders, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/visits/" + f.visitIn(sc)}
			}},
		{route: "POST /v1/visits/{id}/correct", perms: register, allowed: []access.Role{access.RoleCaseworker}, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/visits/" + f.visitIn(sc) + "/correct", body: map[string]any{"occasion": "illness", "reason": "登记时选错了事由"}}
			}},
		{route: "GET /v1/visits/{id}/trail", perms: reads, allowed: visitReaders, ok: 200, scopes: inAndOut, list: true,
			records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/visits/" + f.visitIn(sc) + "/trail"}
			}},
	}
}

// visitsListed: the caller sees A's visit and, from the root, B's; an
// analyst sees them without the employees or visitors.
func visitsListed(t *testing.T, _ *orgOverHTTP, a matrixActor, c cell, rec *httptest.ResponseRecorder) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range jsonBody(t, rec)["items"].([]any) {
		m := it.(map[string]any)
		seen[m["id"].(string)] = true
		named := len(m["employee_ids"].([]any)) + len(m["visitors"].([]any))
		if (a.role == access.RoleAnalyst) != (named == 0) || m["employees"] != float64(1) {
			t.Fatalf("%s's list: %s", a.name, rec.Body)
		}
	}
	if !seen[c.made[0]] || seen[c.made[1]] != a.atRoot {
		t.Fatalf("%s sees A's visit %v and B's %v: %s", a.name, seen[c.made[0]], seen[c.made[1]], rec.Body)
	}
}
