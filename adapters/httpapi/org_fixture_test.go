package httpapi

import (
	"net/http"
	"testing"

	"aidtrail/domain/access"
	"aidtrail/internal/testkit/apptest"
)

// orgOverHTTP is an organisation built through the API alone: a root
// bureau; stations A and B; workshops A1 under A and B1 under B; an
// administrator at the root; an administrator, a caseworker, an approver,
// an auditor and an analyst at station A; employees at A and B; and an
// employee's own account. Every account is signed in.
type orgOverHTTP struct {
	api                                            *testAPI
	root, stationA, stationB, workshopA, workshopB string
	empA, empB, empSelf                            string // empSelf owns the "employee" account
	pool                                           string // a staff account without positions
	tokens                                         map[string]string
	logins                                         map[string]string
	seq                                            *int // shared with the copies made by in
}

// in returns f reporting to t, for use inside a subtest.
func (f *orgOverHTTP) in(t testing.TB) *orgOverHTTP {
	c := *f
	c.api = f.api.in(t)
	return &c
}

// The actors of the matrix, by the name they have in it.
const (
	actorRootAdmin  = "bureau_admin@root"
	actorAdminA     = "bureau_admin@A"
	actorCaseworker = "caseworker@A"
	actorApprover   = "approver@A"
	actorAuditor    = "auditor@A"
	actorAnalyst    = "analyst@A"
	actorEmployee   = "employee"
)

func (f *orgOverHTTP) rootToken() string { return f.tokens[actorRootAdmin] }

// newOrgOverHTTP builds the organisation, checking on the way that the
// bootstrap token acts as the root's administrator until the first
// bureau_admin at the root is appointed, and not a request longer.
func newOrgOverHTTP(t testing.TB, kind string) *orgOverHTTP {
	t.Helper()
	s := newTestAPI(t, kind)
	f := &orgOverHTTP{api: s, tokens: map[string]string{}, logins: map[string]string{}, seq: new(int)}
	boot := s.env.BootstrapToken

	f.root = s.create("/v1/units", boot, map[string]any{"name": "太原铁路局", "code": "TYJ", "level": "bureau", "parent_id": nil})
	f.stationA = s.create("/v1/units", boot, map[string]any{"name": "太原站", "code": "TYZ", "level": "station", "parent_id": f.root})
	// A bureau_admin below the root does not end the bootstrap token.
	adminA := f.account(boot, actorAdminA, "admin.a", nil)
	s.create("/v1/accounts/"+adminA+"/positions", boot, position(f.stationA, access.RoleBureauAdmin))
	s.must(http.StatusOK, http.MethodGet, "/v1/units/"+f.root, boot, nil)

	rootAdmin := f.account(boot, actorRootAdmin, "root.admin", nil)
	s.must(http.StatusOK, http.MethodGet, "/v1/units/"+f.root, boot, nil) // an account alone ends nothing
	s.create("/v1/accounts/"+rootAdmin+"/positions", boot, position(f.root, access.RoleBureauAdmin))
	problemOf(t, s.do(http.MethodGet, "/v1/units/"+f.root, boot, nil), http.StatusUnauthorized, codeUnauthenticated)

	f.tokens[actorRootAdmin] = s.login("root.admin")
	f.tokens[actorAdminA] = s.login("admin.a")
	root := f.rootToken()
	f.stationB = s.create("/v1/units", root, map[string]any{"name": "太原南站", "code": "TYN", "level": "station", "parent_id": f.root})
	f.workshopA = s.create("/v1/units", root, map[string]any{"name": "客运车间", "code": "TYZ-KY", "level": "workshop", "parent_id": f.stationA})
	f.workshopB = s.create("/v1/units", root, map[string]any{"name": "客运车间", "code": "TYN-KY", "level": "workshop", "parent_id": f.stationB})

	for _, staff := range []struct {
		actor, login string
		role         access.Role
	}{
		{actorCaseworker, "worker.a", access.RoleCaseworker},
		{actorApprover, "approver.a", access.RoleApprover},
		{actorAuditor, "auditor.a", access.RoleAuditor},
		{actorAnalyst, "analyst.a", access.RoleAnalyst},
	} {
		id := f.account(root, staff.actor, staff.login, nil)
		s.create("/v1/accounts/"+id+"/positions", root, position(f.stationA, staff.role))
		f.tokens[staff.actor] = s.login(staff.login)
	}
	f.empA = f.employee(f.stationA)
	f.empB = f.employee(f.stationB)
	f.empSelf = f.employee(f.stationA)
	f.account(root, actorEmployee, "zhang.wei", &f.empSelf)
	f.tokens[actorEmployee] = s.login("zhang.wei")
	f.pool = f.account(root, "", "pool", nil)
	return f
}

// eachStore runs test once for every kind of store, each in a parallel
// subtest over an organisation of its own.
func eachStore(t *testing.T, test func(t *testing.T, f *orgOverHTTP)) {
	t.Helper()
	for _, kind := range apptest.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, newOrgOverHTTP(t, kind))
		})
	}
}

// account opens an account as token and returns its id.
func (f *orgOverHTTP) account(token, actor, login string, employee *string) string {
	body := map[string]any{"login": login, "password": testPassword, "name": login}
	if employee != nil {
		body["employee_id"] = *employee
	}
	if actor != "" {
		f.logins[actor] = login
	}
	return f.api.create("/v1/accounts", token, body)
}

func position(unit string, roles ...access.Role) map[string]any {
	return map[string]any{"unit_id": unit, "title": "干事", "roles": roles}
}

// employee registers an employee at unit as the root's administrator.
func (f *orgOverHTTP) employee(unit string) string {
	return f.api.create("/v1/employees", f.rootToken(), employeeBody(unit))
}

func employeeBody(unit string) map[string]any {
	return map[string]any{
		"name": "张伟", "unit_id": unit, "id_number": "11010519491231002X", "phone": "13800138000",
		"bank_account": "6222020200112233445",
		"family":       []map[string]string{{"relation": "child", "name": "张小明", "birth_date": "2008-09-01"}},
	}
}

// team establishes a fresh team under parent as the root's administrator.
func (f *orgOverHTTP) team(parent string) string {
	return f.api.create("/v1/units", f.rootToken(), map[string]any{
		"name": "班组", "code": f.uniq("T"), "level": "team", "parent_id": parent})
}
