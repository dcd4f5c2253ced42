package httpapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"aidtrail/internal/testkit/apptest"
)

// meMatrixRows: every signed-in account reads its own account.
func meMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "GET /v1/me", what: "one's own account", ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(*orgOverHTTP, matrixActor, scope) cell { return cell{path: "/v1/me"} },
			verify: func(t *testing.T, f *orgOverHTTP, a matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				checkMe(t, f, a, jsonBody(t, rec))
			}},
	}
}

// checkMe checks that me is a's own account: its login, its position with
// its role at its unit (none for the employee's account), and its
// employee record (the employee's account only).
func checkMe(t *testing.T, f *orgOverHTTP, a matrixActor, me map[string]any) {
	t.Helper()
	if me["login"] != f.logins[a.name] || me["bootstrap"] != false || me["account_id"] == nil {
		t.Errorf("%s reads another account: %v", a.name, me)
	}
	positions, _ := me["positions"].([]any)
	employee, _ := me["employee"].(map[string]any)
	if a.role == "" {
		if len(positions) != 0 || employee == nil || employee["employee_id"] != f.empSelf || employee["unit_id"] != f.stationA {
			t.Errorf("the employee's account: %v, want no position and employee %s at %s", me, f.empSelf, f.stationA)
		}
		return
	}
	if employee != nil || len(positions) != 1 {
		t.Fatalf("%s: %v, want one position and no employee", a.name, me)
	}
	p := positions[0].(map[string]any)
	unit := f.stationA
	if a.atRoot {
		unit = f.root
	}
	roles, _ := p["roles"].([]any)
	if p["unit_id"] != unit || p["unit_name"] == "" || !slices.Contains(roles, any(string(a.role))) {
		t.Errorf("%s: position %v, want %s at %s", a.name, p, a.role, unit)
	}
}

// The bootstrap token's holder (before any administrator exists) has no
// account: /v1/me says so and lists no position; a request without a
// token is 401 like any other.
func TestMeOfTheBootstrapAdministrator(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		s := newTestAPI(t, kind)
		me := s.must(http.StatusOK, http.MethodGet, "/v1/me", s.env.BootstrapToken, nil)
		if me["bootstrap"] != true || me["account_id"] != nil || me["employee"] != nil || len(me["positions"].([]any)) != 0 {
			t.Errorf("bootstrap: %v", me)
		}
		problemOf(t, s.do(http.MethodGet, "/v1/me", "", nil), http.StatusUnauthorized, codeUnauthenticated)
	})
}
