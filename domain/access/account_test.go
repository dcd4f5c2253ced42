package access

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestOpenAccount(t *testing.T) {
	t.Parallel()
	emp, nilID := uuid.New(), uuid.Nil
	tests := []struct {
		name      string
		id        uuid.UUID
		login     string
		aname     string
		employee  *uuid.UUID
		wantLogin string
		field     string
	}{
		{"staff", uuid.New(), "wang.li", "王力", nil, "wang.li", ""},
		{"employee", uuid.New(), "zhang_san-2", "张三", &emp, "zhang_san-2", ""},
		{"login normalised", uuid.New(), "  Wang.LI ", "Wang", nil, "wang.li", ""},
		{"login of 3", uuid.New(), "abc", "A", nil, "abc", ""},
		{"login of 64", uuid.New(), strings.Repeat("a", 64), "A", nil, strings.Repeat("a", 64), ""},
		{"login of 2", uuid.New(), "ab", "A", nil, "", "login"},
		{"login of 65", uuid.New(), strings.Repeat("a", 65), "A", nil, "", "login"},
		{"login with space", uuid.New(), "wang li", "A", nil, "", "login"},
		{"login with @", uuid.New(), "wang@li", "A", nil, "", "login"},
		{"login not ASCII", uuid.New(), "王力王力", "A", nil, "", "login"},
		{"login with Kelvin sign", uuid.New(), "\u212Aelvin", "A", nil, "", "login"},
		{"empty name", uuid.New(), "wang", " ", nil, "", "name"},
		{"long name", uuid.New(), "wang", strings.Repeat("名", 101), nil, "", "name"},
		{"name with newline", uuid.New(), "wang", "a\nb", nil, "", "name"},
		{"nil id", uuid.Nil, "wang", "A", nil, "", "id"},
		{"nil employee", uuid.New(), "wang", "A", &nilID, "", "employee_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := OpenAccount(tt.id, tt.login, tt.aname, tt.employee)
			if tt.field != "" {
				aggtest.WantErr(t, err, fault.ErrInvalid)
				aggtest.WantField(t, err, tt.field)
				if a != nil {
					t.Fatal("account returned with an error")
				}
				return
			}
			aggtest.WantErr(t, err, nil)
			if a.Login() != tt.wantLogin || a.Name() != strings.TrimSpace(tt.aname) || a.Version() != 0 {
				t.Fatalf("login %q name %q", a.Login(), a.Name())
			}
			if got := aggtest.Types(a.Changes()); !slices.Equal(got, []string{TypeAccountOpened}) {
				t.Fatalf("recorded %v", got)
			}
			if e, ok := a.EmployeeID(); ok != (tt.employee != nil) || ok && (e != *tt.employee || !a.IsEmployee(e)) {
				t.Fatalf("employee %s %v", e, ok)
			}
			if a.IsEmployee(uuid.New()) || a.IsEmployee(uuid.Nil) {
				t.Fatal("belongs to another employee")
			}
			commit(t, nil, a)
		})
	}
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	a, h, _ := opened(t, newUnits())
	if a.HasPassword() {
		t.Fatal("new account has a password")
	}
	aggtest.WantErr(t, a.SetPassword(), nil)
	if string(a.Changes()[0].Data) != `{}` {
		t.Fatalf("password_set carries %s", a.Changes()[0].Data)
	}
	h, a = commit(t, h, a)
	aggtest.WantErr(t, a.Close(""), nil)
	_, a = commit(t, h, a)
	if !a.HasPassword() {
		t.Fatal("password forgotten")
	}
	aggtest.WantErr(t, a.SetPassword(), ErrAccountClosed)
}

func TestAssignPosition(t *testing.T) {
	t.Parallel()
	u := newUnits()
	closedUnit := UnitRef{ID: uuid.New(), Path: []uuid.UUID{u["root"].ID}, Closed: true}
	tests := []struct {
		name   string
		pos    uuid.UUID
		unit   UnitRef
		title  string
		roles  []Role
		closed bool // the account is closed first
		want   error
		field  string
		stored []Role
	}{
		{"one role", uuid.New(), u["st1"], "Union officer", []Role{RoleCaseworker}, false, nil, "", []Role{RoleCaseworker}},
		{"roles put in canonical order", uuid.New(), u["root"], "Chair", []Role{RoleAnalyst, RoleBureauAdmin, RoleAuditor}, false, nil, "",
			[]Role{RoleBureauAdmin, RoleAuditor, RoleAnalyst}},
		{"every role", uuid.New(), u["tm1"], "All", Roles(), false, nil, "", Roles()},
		{"title trimmed", uuid.New(), u["st1"], "  Officer ", []Role{RoleApprover}, false, nil, "", []Role{RoleApprover}},
		{"no roles", uuid.New(), u["st1"], "Officer", nil, false, fault.ErrInvalid, "roles", nil},
		{"unknown role", uuid.New(), u["st1"], "Officer", []Role{RoleCaseworker, "superuser"}, false, fault.ErrInvalid, "roles[1]", nil},
		{"role in capitals", uuid.New(), u["st1"], "Officer", []Role{"Caseworker"}, false, fault.ErrInvalid, "roles[0]", nil},
		{"duplicate role", uuid.New(), u["st1"], "Officer", []Role{RoleCaseworker, RoleApprover, RoleCaseworker}, false, fault.ErrInvalid, "roles[2]", nil},
		{"empty title", uuid.New(), u["st1"], "", []Role{RoleCaseworker}, false, fault.ErrInvalid, "title", nil},
		{"title of 101", uuid.New(), u["st1"], strings.Repeat("t", 101), []Role{RoleCaseworker}, false, fault.ErrInvalid, "title", nil},
		{"nil position id", uuid.Nil, u["st1"], "Officer", []Role{RoleCaseworker}, false, fault.ErrInvalid, "position_id", nil},
		{"nil unit", uuid.New(), UnitRef{}, "Officer", []Role{RoleCaseworker}, false, fault.ErrInvalid, "unit_id", nil},
		{"closed unit", uuid.New(), closedUnit, "Officer", []Role{RoleCaseworker}, false, ErrUnitClosed, "", nil},
		{"closed account", uuid.New(), u["st1"], "Officer", []Role{RoleCaseworker}, true, ErrAccountClosed, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, h, _ := opened(t, u)
			if tt.closed {
				aggtest.WantErr(t, a.Close("left"), nil)
				h, a = commit(t, h, a)
			}
			err := a.AssignPosition(tt.pos, tt.unit, tt.title, tt.roles)
			aggtest.WantErr(t, err, tt.want)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
			}
			if err != nil {
				if len(a.Changes()) != 0 {
					t.Fatal("recorded on failure")
				}
				return
			}
			ps := a.ActivePositions()
			if len(ps) != 1 || ps[0].ID != tt.pos || ps[0].UnitID != tt.unit.ID || !slices.Equal(ps[0].UnitPath, tt.unit.Path) ||
				ps[0].Title != strings.TrimSpace(tt.title) || !slices.Equal(ps[0].Roles, tt.stored) {
				t.Fatalf("positions %+v", ps)
			}
			_, a = commit(t, h, a)
			aggtest.WantErr(t, a.AssignPosition(tt.pos, tt.unit, tt.title, tt.roles), fault.ErrInvalid)
		})
	}
}

func TestVacatePosition(t *testing.T) {
	t.Parallel()
	u := newUnits()
	other, nilID := uuid.New(), uuid.Nil
	tests := []struct {
		name      string
		which     int // index of the position to vacate; -1 for an unknown one
		successor func(a *Account) *uuid.UUID
		reason    string
		twice     bool
		want      error
		field     string
	}{
		{"vacated", 0, nil, "", false, nil, ""},
		{"with successor and reason", 1, func(*Account) *uuid.UUID { return &other }, "retired", false, nil, ""},
		{"unknown position", -1, nil, "", false, ErrPositionNotFound, ""},
		{"already vacated", 0, nil, "", true, ErrPositionNotActive, ""},
		{"successor is the nil id", 0, func(*Account) *uuid.UUID { return &nilID }, "", false, fault.ErrInvalid, "successor_account_id"},
		{"successor is the account itself", 0, func(a *Account) *uuid.UUID { id := a.ID(); return &id }, "", false, fault.ErrInvalid, "successor_account_id"},
		{"reason too long", 0, nil, strings.Repeat("r", MaxReasonRunes+1), false, fault.ErrInvalid, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, h, ids := opened(t, u, position{"st1", []Role{RoleApprover}}, position{"ws1", []Role{RoleCaseworker}})
			pos := uuid.New()
			if tt.which >= 0 {
				pos = ids[tt.which]
			}
			if tt.twice {
				aggtest.WantErr(t, a.VacatePosition(pos, nil, ""), nil)
				h, a = commit(t, h, a)
			}
			var successor *uuid.UUID
			if tt.successor != nil {
				successor = tt.successor(a)
			}
			err := a.VacatePosition(pos, successor, tt.reason)
			aggtest.WantErr(t, err, tt.want)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
			}
			if tt.want == ErrPositionNotActive {
				var pe *PositionNotActiveError
				if !errors.As(err, &pe) || pe.Position != pos || !errors.Is(err, fault.ErrInvalidState) {
					t.Fatalf("%v is no *PositionNotActiveError", err)
				}
			}
			if err != nil {
				if len(a.Changes()) != 0 {
					t.Fatal("recorded on failure")
				}
				return
			}
			if got := a.ActivePositions(); len(got) != 1 || got[0].ID == pos {
				t.Fatalf("active after vacating: %+v", got)
			}
			commit(t, h, a)
		})
	}
}

func TestCloseAccount(t *testing.T) {
	t.Parallel()
	u := newUnits()
	a, h, ids := opened(t, u, position{"st1", []Role{RoleApprover}}, position{"root", []Role{RoleAuditor}})
	err := a.Close("left")
	var ae *ActivePositionsError
	if !errors.As(err, &ae) || !slices.Equal(ae.Positions, ids) || !errors.Is(err, ErrPositionsActive) || !errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("close with positions: %v", err)
	}
	aggtest.WantErr(t, a.VacatePosition(ids[0], nil, ""), nil)
	aggtest.WantErr(t, a.Close("left"), ErrPositionsActive)
	aggtest.WantErr(t, a.VacatePosition(ids[1], nil, ""), nil)
	aggtest.WantErr(t, a.Close(strings.Repeat("r", MaxReasonRunes+1)), fault.ErrInvalid)
	aggtest.WantErr(t, a.Close("left the union"), nil)
	if !a.Closed() || len(a.ActivePositions()) != 0 {
		t.Fatal("not closed")
	}
	_, a = commit(t, h, a)
	aggtest.WantErr(t, a.Close(""), ErrAccountClosed)
	aggtest.WantErr(t, a.VacatePosition(ids[0], nil, ""), ErrAccountClosed)
	aggtest.WantErr(t, a.AssignPosition(uuid.New(), u["st1"], "x", []Role{RoleAnalyst}), ErrAccountClosed)
}
