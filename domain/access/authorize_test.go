package access

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/internal/aggtest"
)

// specTable is the permission table as the feature brief states it,
// permission → roles, written independently of rolePermissions.
var specTable = map[Permission][]Role{
	"org.read":              {RoleBureauAdmin, RoleCaseworker, RoleApprover, RoleAuditor, RoleAnalyst}, // added: GET /v1/units
	"org.manage":            {RoleBureauAdmin},
	"accounts.manage":       {RoleBureauAdmin},
	"employees.register":    {RoleBureauAdmin, RoleCaseworker},
	"employees.read":        {RoleBureauAdmin, RoleCaseworker, RoleApprover, RoleAuditor},
	"employees.read_masked": {RoleAnalyst},
	"employees.erase":       {RoleBureauAdmin},
	"cases.file":            {RoleCaseworker},
	"cases.decide":          {RoleApprover},
	"budgets.manage":        {RoleBureauAdmin},
	"catalogue.manage":      {RoleBureauAdmin}, // added: publishing and revising standards (F2, F3)
	"audit.read":            {RoleAuditor, RoleBureauAdmin},
	"stats.read":            {RoleAnalyst, RoleAuditor, RoleBureauAdmin},
	"visits.register":       {RoleCaseworker},
	"care.manage":           {RoleBureauAdmin, RoleCaseworker}, // added: the register, life events, follow-ups (F17, F18)
	"discovery.rules":       {RoleBureauAdmin},                 // added: "PUT /v1/discovery/rules (bureau only)"
}

func TestPermissionTableIsTheSpec(t *testing.T) {
	t.Parallel()
	if len(Permissions()) != len(specTable) {
		t.Fatalf("%d permissions, the spec has %d", len(Permissions()), len(specTable))
	}
	for _, p := range Permissions() {
		if _, ok := specTable[p]; !ok || !p.Valid() {
			t.Errorf("permission %s not in the spec", p)
		}
		for _, r := range Roles() {
			if RoleGrants(r, p) != slices.Contains(specTable[p], r) {
				t.Errorf("%s grants %s: %v", r, p, RoleGrants(r, p))
			}
		}
	}
	if RoleGrants("root", PermOrgManage) || len(Role("root").Permissions()) != 0 || Permission("org.*").Valid() {
		t.Error("unknown role or permission grants something")
	}
	perms := RoleBureauAdmin.Permissions()
	perms[0] = "mutated"
	if !RoleGrants(RoleBureauAdmin, PermOrgManage) {
		t.Fatal("Permissions exposes the table")
	}
}

// TestAuthorizeEachRoleAndPermission holds one role at st1 and asks for
// every permission at st1, below it (allowed exactly when the role grants
// it), above it and beside it (never), after vacating and on a closed
// account (never).
func TestAuthorizeEachRoleAndPermission(t *testing.T) {
	t.Parallel()
	u := newUnits()
	for _, role := range Roles() {
		a, h, ids := opened(t, u, position{"st1", []Role{role}})
		vacated := cloneAccount(t, h, a)
		aggtest.WantErr(t, vacated.VacatePosition(ids[0], nil, "moved on"), nil)
		closed := closedWithActivePosition(t, h, a)
		for _, p := range Permissions() {
			granted := slices.Contains(specTable[p], role)
			for _, target := range []struct {
				unit    string
				allowed bool
			}{
				{"st1", granted}, {"ws1", granted}, {"tm1", granted}, {"root", false}, {"st2", false},
			} {
				g, err := a.Authorize(p, u[target.unit])
				if !target.allowed {
					wantForbidden(t, err, p, u[target.unit].ID)
					if g != (Grant{}) {
						t.Fatalf("grant %+v with an error", g)
					}
					continue
				}
				if err != nil || g != (Grant{PositionID: ids[0], UnitID: u["st1"].ID, Role: role}) {
					t.Fatalf("%s %s at %s: %+v, %v", role, p, target.unit, g, err)
				}
			}
			for _, target := range []string{"st1", "tm1"} {
				_, err := vacated.Authorize(p, u[target])
				wantForbidden(t, err, p, u[target].ID)
				_, err = closed.Authorize(p, u[target])
				wantForbidden(t, err, p, u[target].ID)
			}
		}
	}
}

func cloneAccount(t *testing.T, h []event.Recorded, a *Account) *Account {
	t.Helper()
	c, err := LoadAccount(a.ID(), h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedWithActivePosition replays a history no command writes today (a
// close while a position is active): a closed account is forbidden
// whatever its positions say.
func closedWithActivePosition(t *testing.T, h []event.Recorded, a *Account) *Account {
	t.Helper()
	h = append(slices.Clone(h), event.Recorded{Stream: a.Stream(), Version: int64(len(h) + 1),
		Type: TypeAccountClosed, Data: json.RawMessage(`{"reason":"x"}`)})
	c := cloneAccount(t, h, a)
	if len(c.ActivePositions()) != 1 || !c.Closed() {
		t.Fatal("fixture")
	}
	return c
}

func wantForbidden(t *testing.T, err error, p Permission, unit uuid.UUID) {
	t.Helper()
	var fe *ForbiddenError
	if !errors.Is(err, ErrForbidden) || !errors.As(err, &fe) || fe.Permission != p || fe.Unit != unit {
		t.Fatalf("%s at %s: %v, want *ForbiddenError", p, unit, err)
	}
}

func TestAuthorizeChoosesTheClosestPosition(t *testing.T) {
	t.Parallel()
	u := newUnits()
	a, _, ids := opened(t, u,
		position{"root", []Role{RoleBureauAdmin}},                // 0
		position{"st1", []Role{RoleAnalyst}},                     // 1: closer, but grants no org.manage
		position{"ws1", []Role{RoleBureauAdmin, RoleCaseworker}}, // 2
		position{"ws1", []Role{RoleCaseworker}},                  // 3: same distance, assigned later
		position{"tm1", []Role{RoleAuditor}},                     // 4
		position{"st2", []Role{RoleCaseworker, RoleBureauAdmin}}, // 5
	)
	tests := []struct {
		p      Permission
		target string
		want   Grant
	}{
		{PermOrgManage, "root", Grant{ids[0], u["root"].ID, RoleBureauAdmin}},
		{PermOrgManage, "st1", Grant{ids[0], u["root"].ID, RoleBureauAdmin}},
		{PermStatsRead, "st1", Grant{ids[1], u["st1"].ID, RoleAnalyst}},
		{PermOrgManage, "tm1", Grant{ids[2], u["ws1"].ID, RoleBureauAdmin}},
		{PermEmployeesRead, "ws1", Grant{ids[2], u["ws1"].ID, RoleBureauAdmin}},
		{PermCasesFile, "ws1", Grant{ids[2], u["ws1"].ID, RoleCaseworker}},
		{PermAuditRead, "tm1", Grant{ids[4], u["tm1"].ID, RoleAuditor}},
		{PermEmployeesRead, "tm1", Grant{ids[4], u["tm1"].ID, RoleAuditor}},
		{PermCasesFile, "tm1", Grant{ids[2], u["ws1"].ID, RoleCaseworker}},
		{PermEmployeesRegister, "st2", Grant{ids[5], u["st2"].ID, RoleBureauAdmin}},
	}
	for _, tt := range tests {
		for range 3 { // deterministic
			g, err := a.Authorize(tt.p, u[tt.target])
			if err != nil || g != tt.want {
				t.Fatalf("%s at %s: %+v, %v; want %+v", tt.p, tt.target, g, err, tt.want)
			}
		}
	}
	aggtest.WantErr(t, a.VacatePosition(ids[2], nil, ""), nil)
	if g, err := a.Authorize(PermCasesFile, u["tm1"]); err != nil || g.PositionID != ids[3] {
		t.Fatalf("after vacating: %+v, %v", g, err)
	}
	if g, err := a.Authorize(PermOrgManage, u["tm1"]); err != nil || g.PositionID != ids[0] {
		t.Fatalf("after vacating: %+v, %v", g, err)
	}
	_, err := a.Authorize(PermCasesDecide, u["tm1"])
	wantForbidden(t, err, PermCasesDecide, u["tm1"].ID)
	_, err = a.Authorize("cases.*", u["tm1"])
	wantForbidden(t, err, "cases.*", u["tm1"].ID)
	_, err = a.Authorize(PermOrgManage, UnitRef{})
	wantForbidden(t, err, PermOrgManage, uuid.Nil)
}

// TestAuthorizeFollowsTheTargetsCurrentPath: a unit that moved away from
// the position's unit is out of reach at once, with no event on the account.
func TestAuthorizeFollowsTheTargetsCurrentPath(t *testing.T) {
	t.Parallel()
	u := newUnits()
	a, _, _ := opened(t, u, position{"st1", []Role{RoleCaseworker}})
	movedWs1 := UnitRef{ID: u["ws1"].ID, Path: []uuid.UUID{u["root"].ID, u["st2"].ID}}
	_, err := a.Authorize(PermCasesFile, movedWs1)
	wantForbidden(t, err, PermCasesFile, movedWs1.ID)
}

func TestIsEmployee(t *testing.T) {
	t.Parallel()
	emp := uuid.New()
	a, err := OpenAccount(uuid.New(), "zhang.san", "Zhang San", &emp)
	if err != nil {
		t.Fatal(err)
	}
	if !a.IsEmployee(emp) || a.IsEmployee(uuid.New()) || a.IsEmployee(uuid.Nil) {
		t.Fatal("IsEmployee")
	}
	staff, _, _ := opened(t, newUnits())
	if staff.IsEmployee(uuid.Nil) || staff.IsEmployee(emp) {
		t.Fatal("a staff account belongs to an employee")
	}
	aggtest.WantErr(t, a.Close("left"), nil)
	if a.IsEmployee(emp) {
		t.Fatal("a closed account still belongs to its employee")
	}
}
