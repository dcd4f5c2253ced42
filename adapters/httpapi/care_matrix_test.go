package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"aidtrail/domain/access"
)

// Care work in the authorisation matrix: the register and life events are
// kept by care.manage (the bureau's administrators and caseworkers); the
// register, the discovery list and the profile are read by those who keep
// them or audit, and, without anyone named, by those who read statistics;
// the rules are published by the bureau alone.

var (
	careManagers = []access.Role{access.RoleBureauAdmin, access.RoleCaseworker}
	careReaders  = []access.Role{access.RoleBureauAdmin, access.RoleCaseworker, access.RoleAuditor, access.RoleAnalyst}
	careReads    = perms(access.PermCareManage, access.PermAuditRead, access.PermStatsRead)
)

// discoveryRulesOnce publishes, once per fixture, a rule that lists every
// employee with a hospitalisation for the GRANT standard.
var (
	discoveryRulesMu  sync.Mutex
	discoveryRulesFor = map[*int]bool{}
)

func (f *orgOverHTTP) discoveryRules() {
	f.cases() // publishes GRANT
	discoveryRulesMu.Lock()
	defer discoveryRulesMu.Unlock()
	if discoveryRulesFor[f.seq] {
		return
	}
	f.api.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), hospitalisationRules)
	discoveryRulesFor[f.seq] = true
}

var hospitalisationRules = map[string]any{"rules": []map[string]any{{"code": "HOSP", "standard_code": grantCode,
	"life_event": map[string]any{"kind": "hospitalisation"}, "explanation": "可申请测试补助"}}}

// enteredEmployee registers an employee of unit and enters them in the
// register, as the root's administrator.
func (f *orgOverHTTP) enteredEmployee(unit string) string {
	emp := f.employee(unit)
	f.api.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/hardship", f.rootToken(), enterBody)
	return emp
}

var enterBody = map[string]any{"level": "deep", "causes": []string{"重病"},
	"household": map[string]any{"size": 3, "dependants": 1, "income_band": "below_minimum", "age_band": "40_49"}}

var hospitalised = map[string]any{"kind": "hospitalisation", "subject": "self", "occurred_on": "2026-01-05"}

// discoveredItem registers an employee of unit with a hospitalisation and
// returns their employee id and discovery item.
func (f *orgOverHTTP) discoveredItem(unit string) (employee, item string) {
	f.discoveryRules()
	emp := f.employee(unit)
	f.api.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", f.rootToken(), hospitalised)
	page := f.api.must(http.StatusOK, http.MethodGet, "/v1/discovery?"+url.Values{"employee_id": {emp},
		"min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode(), f.rootToken(), nil)
	items := page["items"].([]any)
	if len(items) != 1 {
		f.api.t.Fatalf("a hospitalised employee has %d discovery items: %v", len(items), page)
	}
	return emp, items[0].(map[string]any)["id"].(string)
}

// careListed checks a list of care work: the caller sees the employee of
// station A and, from the root, the one of station B; an analyst sees the
// rows without employees.
func careListed(t *testing.T, a matrixActor, rec *httptest.ResponseRecorder, inA, inB string) {
	t.Helper()
	seen := map[string]bool{}
	for _, it := range jsonBody(t, rec)["items"].([]any) {
		m := it.(map[string]any)
		if a.role == access.RoleAnalyst {
			if _, named := m["employee_id"]; named {
				t.Fatalf("the analyst's list names an employee: %s", rec.Body)
			}
			if _, told := m["reason"]; told {
				t.Fatalf("the analyst's list tells a reason: %s", rec.Body)
			}
			continue
		}
		seen[m["employee_id"].(string)] = true
	}
	if a.role == access.RoleAnalyst {
		return
	}
	if !seen[inA] || seen[inB] != a.atRoot {
		t.Fatalf("%s sees A's employee %v and B's %v: %s", a.name, seen[inA], seen[inB], rec.Body)
	}
}

func careMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "POST /v1/employees/{id}/hardship", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + f.employee(pick(sc, f.workshopA, f.stationB)) + "/hardship", body: enterBody}
			}},
		{route: "POST /v1/employees/{id}/hardship/review", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				emp := f.enteredEmployee(pick(sc, f.workshopA, f.stationB))
				return cell{path: "/v1/employees/" + emp + "/hardship/review", body: map[string]any{"outcome": "change_level", "level": "relative"}}
			}},
		{route: "POST /v1/employees/{id}/hardship/exit", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				emp := f.enteredEmployee(pick(sc, f.workshopA, f.stationB))
				return cell{path: "/v1/employees/" + emp + "/hardship/exit", body: map[string]any{"reason": "recovered"}}
			}},
		{route: "POST /v1/employees/{id}/life-events", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + f.employee(pick(sc, f.workshopA, f.stationB)) + "/life-events", body: hospitalised}
			}},
		{route: "POST /v1/life-events/import", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				emp := f.employee(pick(sc, f.workshopA, f.stationB))
				csv := "employee_id,kind,subject,occurred_on,details\n" + emp + ",university_admission,child,2026-07-20,北京交通大学\n"
				return cell{path: "/v1/life-events/import", body: []byte(csv), contentType: "text/csv"}
			}},
		{route: "GET /v1/hardship-register", perms: careReads, allowed: careReaders, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				inA, inB := f.enteredEmployee(f.workshopA), f.enteredEmployee(f.stationB)
				return cell{path: "/v1/hardship-register?" + url.Values{"limit": {"500"}, "min_position": {strconv.FormatInt(f.api.head(), 10)},
					"status": {"active"}}.Encode(), made: []string{inA, inB}}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, a matrixActor, c cell, rec *httptest.ResponseRecorder) {
				careListed(t, a, rec, c.made[0], c.made[1])
			}},
		{route: "GET /v1/discovery", perms: careReads, allowed: careReaders, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				inA, _ := f.discoveredItem(f.workshopA)
				inB, _ := f.discoveredItem(f.stationB)
				return cell{path: "/v1/discovery?" + url.Values{"limit": {"500"}, "min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode(),
					made: []string{inA, inB}}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, a matrixActor, c cell, rec *httptest.ResponseRecorder) {
				careListed(t, a, rec, c.made[0], c.made[1])
			}},
		{route: "POST /v1/discovery/{id}/follow-up", perms: perms(access.PermCareManage), allowed: careManagers, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				_, item := f.discoveredItem(pick(sc, f.workshopA, f.stationB))
				return cell{path: "/v1/discovery/" + item + "/follow-up", body: map[string]any{"outcome": "visited", "note": "已上门慰问"}}
			}},
		{route: "PUT /v1/discovery/rules", perms: perms(access.PermDiscoveryRules), allowed: onlyAdmin, ok: 200, scopes: []scope{scopeRoot},
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.cases()
				return cell{path: "/v1/discovery/rules", body: hospitalisationRules}
			}},
		{route: "GET /v1/discovery/rules", perms: perms(access.PermCareManage, access.PermDiscoveryRules, access.PermStatsRead, access.PermAuditRead),
			allowed: careReaders, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.discoveryRules()
				return cell{path: "/v1/discovery/rules"}
			}},
		{route: "GET /v1/discovery/summary", perms: careReads, allowed: careReaders, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.discoveredItem(f.workshopA)
				return cell{path: "/v1/discovery/summary?min_position=" + strconv.FormatInt(f.api.head(), 10)}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				if found, _ := jsonBody(t, rec)["found"].(float64); found < 1 {
					t.Errorf("a summary of the subtree with an item found counts none: %s", rec.Body)
				}
			}},
		{route: "GET /v1/profile", perms: careReads, allowed: careReaders, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.enteredEmployee(f.workshopA)
				return cell{path: "/v1/profile?" + url.Values{"group_by": {"level,cause"},
					"min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode()}
			}},
	}
}
