package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// The authorisation matrix (F11, F12, F14): every protected endpoint, for
// every role held at station A and for the root's administrator, on a
// target inside station A's subtree and on one outside it, answers exactly
// what the role table of domain/access grants, over HTTP and on a real
// store. A refusal is a 403 forbidden problem that writes one event, the
// record of the refusal, and nothing else.

// matrixActor is a signed-in account of orgOverHTTP.
type matrixActor struct {
	name   string
	role   access.Role // "" for the employee's own account, which holds no position
	atRoot bool        // the position is at the root, so every unit is inside
}

var matrixActors = []matrixActor{
	{actorRootAdmin, access.RoleBureauAdmin, true},
	{actorAdminA, access.RoleBureauAdmin, false},
	{actorCaseworker, access.RoleCaseworker, false},
	{actorApprover, access.RoleApprover, false},
	{actorAuditor, access.RoleAuditor, false},
	{actorAnalyst, access.RoleAnalyst, false},
	{actorEmployee, "", false},
}

// scope is where a cell's target lies. inA: entirely within station A's
// subtree, where the roles at A reach.
type scope struct {
	name string
	inA  bool
}

var (
	scopeA    = scope{"in A", true}
	scopeB    = scope{"in B", false}
	scopeAToB = scope{"from A to B", false}
	scopeRoot = scope{"at the root", false}
	scopeNone = scope{"", true}
)

// cell is one request of the matrix.
type cell struct {
	path  string
	body  any
	token string // "" for the actor's own token
	// contentType replaces application/json for a body sent as bytes.
	contentType string
	// made names what prepare made for verify to look for.
	made []string
}

type matrixRow struct {
	route string // METHOD pattern, exactly as in the route table
	what  string
	// perms: the request needs one of these at the target; none for a
	// request any signed-in account may make.
	perms []access.Permission
	// allowed: the roles that may, inside their subtree. It is written out
	// here rather than computed, and checked against access.RoleGrants.
	allowed []access.Role
	// bootstrapOnly: no account may, whatever its roles.
	bootstrapOnly bool
	// list: the read is of a list, which carries no ETag.
	list    bool
	ok      int
	scopes  []scope
	prepare func(f *orgOverHTTP, a matrixActor, sc scope) cell
	// verify checks a successful answer further.
	verify func(t *testing.T, f *orgOverHTTP, a matrixActor, c cell, rec *httptest.ResponseRecorder)
	// self: the employee's own account may too, on its own employee's
	// target (scope A).
	self bool
	// records: the event type a read records of itself (a money trail's
	// audit.trail_read); "" for a read that writes nothing.
	records string
}

// want is the status the row's request must answer for a in sc.
func (row matrixRow) want(a matrixActor, sc scope) int {
	switch {
	case len(row.perms) == 0:
		return row.ok
	case row.self && a.name == actorEmployee && sc.inA:
		return row.ok
	case row.bootstrapOnly, a.role == "", !slices.Contains(row.allowed, a.role):
		return http.StatusForbidden
	case a.atRoot || sc.inA:
		return row.ok
	default:
		return http.StatusForbidden
	}
}

var (
	onlyAdmin = []access.Role{access.RoleBureauAdmin}
	allRoles  = access.Roles()
	inAndOut  = []scope{scopeA, scopeB}
)

// pick returns a for scope A and b for any other.
func pick(sc scope, a, b string) string {
	if sc.inA {
		return a
	}
	return b
}

func matrixRows() []matrixRow {
	return slices.Concat(
		identityMatrixRows(),
		meMatrixRows(),
		catalogueMatrixRows(),
		caseMatrixRows(),
		budgetListMatrixRows(),
		statsMatrixRows(),
		paymentExportMatrixRows(),
		auditMatrixRows(),
		trailMatrixRows(),
		careMatrixRows(),
		visitMatrixRows(),
		whatIfMatrixRows(),
	)
}

func identityMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "POST /v1/logout", what: "sign out", ok: 204, scopes: []scope{scopeNone},
			prepare: func(f *orgOverHTTP, a matrixActor, _ scope) cell {
				return cell{path: "/v1/logout", token: f.api.login(f.logins[a.name])}
			},
			verify: func(t *testing.T, f *orgOverHTTP, a matrixActor, c cell, _ *httptest.ResponseRecorder) {
				// The token the cell signed out with is dead; the actor's other session is not.
				problemOf(t, f.api.do(http.MethodGet, "/v1/units/"+f.stationA, c.token, nil), http.StatusUnauthorized, codeUnauthenticated)
				if rec := f.api.do(http.MethodGet, "/v1/units/"+f.stationA, f.tokens[a.name], nil); rec.Code == http.StatusUnauthorized {
					t.Errorf("signing out one session ended another: %s", rec.Body)
				}
			}},
		{route: "POST /v1/accounts", what: "a staff account", perms: perms(access.PermAccountsManage), allowed: onlyAdmin,
			ok: 201, scopes: []scope{scopeRoot},
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				login := f.uniq("staff")
				return cell{path: "/v1/accounts", body: map[string]any{"login": login, "password": testPassword, "name": login}}
			}},
		{route: "POST /v1/accounts", what: "an employee's account", perms: perms(access.PermAccountsManage), allowed: onlyAdmin,
			ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				// A fresh employee each time: an employee has one account of their own.
				login := f.uniq("emp")
				return cell{path: "/v1/accounts", body: map[string]any{
					"login": login, "password": testPassword, "name": login, "employee_id": f.employee(pick(sc, f.stationA, f.stationB))}}
			}},
		{route: "POST /v1/accounts/{id}/positions", perms: perms(access.PermAccountsManage), allowed: onlyAdmin,
			ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/accounts/" + f.pool + "/positions", body: position(pick(sc, f.workshopA, f.workshopB), access.RoleCaseworker)}
			}},
		{route: "POST /v1/accounts/{id}/positions/{position_id}/vacate", perms: perms(access.PermAccountsManage), allowed: onlyAdmin,
			ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				pos := f.api.create("/v1/accounts/"+f.pool+"/positions", f.rootToken(), position(pick(sc, f.workshopA, f.workshopB), access.RoleApprover))
				return cell{path: "/v1/accounts/" + f.pool + "/positions/" + pos + "/vacate", body: map[string]any{"reason": "调岗"}}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				if h, ok := jsonBody(t, rec)["handed_over"].([]any); !ok || len(h) != 0 {
					t.Errorf("handed_over = %v, want []", jsonBody(t, rec)["handed_over"])
				}
			}},
		{route: "POST /v1/units", what: "under a parent", perms: perms(access.PermOrgManage), allowed: onlyAdmin,
			ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/units", body: map[string]any{
					"name": "车间", "code": f.uniq("W"), "level": "workshop", "parent_id": pick(sc, f.stationA, f.stationB)}}
			}},
		{route: "POST /v1/units", what: "a second root", perms: perms(access.PermOrgManage), bootstrapOnly: true,
			ok: 201, scopes: []scope{scopeRoot},
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				return cell{path: "/v1/units", body: map[string]any{"name": "路局", "code": f.uniq("R"), "level": "bureau"}}
			}},
		{route: "GET /v1/units/{id}", perms: perms(access.PermOrgRead), allowed: allRoles, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/units/" + pick(sc, f.workshopA, f.stationB)}
			}},
		{route: "POST /v1/units/{id}/rename", perms: perms(access.PermOrgManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/units/" + pick(sc, f.workshopA, f.workshopB) + "/rename", body: map[string]any{"name": f.uniq("车间")}}
			}},
		{route: "POST /v1/units/{id}/move", perms: perms(access.PermOrgManage), allowed: onlyAdmin, ok: 200,
			scopes: []scope{scopeA, scopeB, scopeAToB},
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				from, to := f.workshopA, f.stationA
				switch sc {
				case scopeB:
					from, to = f.workshopB, f.stationB
				case scopeAToB:
					to = f.stationB
				}
				return cell{path: "/v1/units/" + f.team(from) + "/move", body: map[string]any{"parent_id": to}}
			}},
		{route: "POST /v1/units/{id}/close", perms: perms(access.PermOrgManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/units/" + f.team(pick(sc, f.workshopA, f.workshopB)) + "/close", body: map[string]any{"reason": "撤销"}}
			}},
		{route: "POST /v1/employees", perms: perms(access.PermEmployeesRegister),
			allowed: []access.Role{access.RoleBureauAdmin, access.RoleCaseworker}, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees", body: employeeBody(pick(sc, f.workshopA, f.stationB))}
			}},
		{route: "GET /v1/employees/{id}", perms: perms(access.PermEmployeesRead, access.PermEmployeesReadMasked),
			allowed: allRoles, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + pick(sc, f.empA, f.empB)}
			},
			verify: verifyEmployeeView},
		{route: "POST /v1/employees/{id}/erase", perms: perms(access.PermEmployeesErase), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + f.employee(pick(sc, f.workshopA, f.stationB)) + "/erase", body: map[string]any{"reason": "本人申请"}}
			}},
	}
}

func perms(p ...access.Permission) []access.Permission { return p }

// verifyEmployeeView: the analyst sees no personal data at all, everyone
// else who may read sees it all.
func verifyEmployeeView(t *testing.T, _ *orgOverHTTP, a matrixActor, _ cell, rec *httptest.ResponseRecorder) {
	body := rec.Body.String()
	v := jsonBody(t, rec)
	if a.role == access.RoleAnalyst {
		for _, key := range []string{"name", "id_number", "phone", "bank_account"} {
			if _, ok := v[key]; ok {
				t.Errorf("the analyst's view has %q: %s", key, body)
			}
		}
		for _, secret := range []string{"张伟", "张小明", "11010519491231002X", "13800138000", "6222020200112233445"} {
			if strings.Contains(body, secret) {
				t.Errorf("the analyst's view holds %s: %s", secret, body)
			}
		}
		if family, _ := v["family"].([]any); len(family) != 1 || family[0].(map[string]any)["name"] != nil {
			t.Errorf("the analyst's view of the family: %s", body)
		}
		if m, _ := v["masked"].([]any); len(m) == 0 || !strings.Contains(body, `"birth_date":"2008-09-01"`) {
			t.Errorf("the analyst's view lists no masked fields or lost the birth date: %s", body)
		}
		return
	}
	if v["name"] != "张伟" || v["id_number"] != "11010519491231002X" || !strings.Contains(body, "张小明") {
		t.Errorf("%s's view lacks personal data: %s", a.name, body)
	}
}

// TestMatrixRowsMatchRoleTable: the written-out allowed roles of each row
// are exactly those the role table grants the row's permissions.
func TestMatrixRowsMatchRoleTable(t *testing.T) {
	t.Parallel()
	for _, row := range matrixRows() {
		if row.bootstrapOnly || len(row.perms) == 0 {
			continue
		}
		for _, role := range access.Roles() {
			grants := slices.ContainsFunc(row.perms, func(p access.Permission) bool { return access.RoleGrants(role, p) })
			if grants != slices.Contains(row.allowed, role) {
				t.Errorf("%s %s: the matrix allows %s = %v, the role table grants %v = %v",
					row.route, row.what, role, slices.Contains(row.allowed, role), row.perms, grants)
			}
		}
	}
}

// TestMatrixCoversEveryRoute: a protected route without a row of the
// matrix, or a row for a route that is not served, fails here.
func TestMatrixCoversEveryRoute(t *testing.T) {
	t.Parallel()
	a := &api{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	served := map[string]bool{}
	for _, rt := range a.routes() {
		if rt.access == authenticated {
			served[rt.method+" "+rt.path] = true
		}
	}
	rows := map[string]bool{}
	for _, row := range matrixRows() {
		rows[row.route] = true
		if !served[row.route] {
			t.Errorf("the matrix has a row for %s, which is not a protected route", row.route)
		}
	}
	for route := range served {
		if !rows[route] {
			t.Errorf("protected route %s has no row in the authorisation matrix", route)
		}
	}
}

func TestAuthorisationMatrix(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		cells := 0
		for _, row := range matrixRows() {
			method, _, _ := strings.Cut(row.route, " ")
			for _, sc := range row.scopes {
				for _, a := range matrixActors {
					name := strings.TrimSpace(row.route + " " + row.what + " " + sc.name + " as " + a.name)
					cells++
					t.Run(name, func(t *testing.T) {
						f := f.in(t)
						c := row.prepare(f, a, sc)
						token := c.token
						if token == "" {
							token = f.tokens[a.name]
						}
						before := f.api.head()
						req := f.api.request(method, c.path, token, c.body)
						if c.contentType != "" {
							req.Header.Set("Content-Type", c.contentType)
						}
						rec := f.api.serve(req)
						checkCell(t, f, row, a, sc, c, method, before, rec)
					})
				}
			}
		}
		t.Logf("%d rows, %d actors, %d cells", len(matrixRows()), len(matrixActors), cells)
	})
}

func checkCell(t *testing.T, f *orgOverHTTP, row matrixRow, a matrixActor, sc scope, c cell, method string, before int64, rec *httptest.ResponseRecorder) {
	t.Helper()
	want := row.want(a, sc)
	after := f.api.eventsAfter(before)
	if want == http.StatusForbidden {
		problemOf(t, rec, http.StatusForbidden, codeForbidden)
		if len(after) != 1 || after[0].Type != access.TypeAccessDenied {
			t.Fatalf("a refusal wrote %d events (%v), want only its own record", len(after), types(after))
		}
		return
	}
	if rec.Code != want {
		t.Fatalf("status %d %s, want %d", rec.Code, rec.Body, want)
	}
	switch {
	case method == http.MethodGet:
		if row.records == "" && len(after) != 0 || row.records != "" && (len(after) != 1 || after[0].Type != row.records) {
			t.Fatalf("a read wrote %v, want %q", types(after), row.records)
		}
		if !row.list && rec.Header().Get("ETag") == "" {
			t.Error("a read of one aggregate without an ETag")
		}
	case want == http.StatusNoContent:
	default:
		body := jsonBody(t, rec)
		pos, _ := body["position"].(float64)
		if len(after) == 0 || int64(pos) != after[len(after)-1].Position {
			t.Fatalf("answered position %v; the command wrote %v", body["position"], types(after))
		}
		if want == http.StatusCreated && !strings.HasPrefix(rec.Header().Get("Location"), "/v1/") {
			t.Errorf("201 with Location %q", rec.Header().Get("Location"))
		}
	}
	if row.verify != nil {
		row.verify(t, f, a, c, rec)
	}
}

func types(events []event.Recorded) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}
