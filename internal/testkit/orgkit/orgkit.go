// Package orgkit builds, through the application's own commands, the
// organisation tests start from: the bureau 太原铁路局 at the root with its
// administrator, then units, accounts with positions, the hardship
// standard HARD-LIVING, approval flows, budgets, employees and submitted
// cases. Each test gets an Org of its own on a fresh store (apptest).
package orgkit

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

// GrantFen is what HARD-LIVING pays: a fixed 5,000 yuan.
const GrantFen = 500_000

// HardshipCode is the code of the standard PublishHardship publishes.
const HardshipCode = "HARD-LIVING"

// Org is an organisation on a test application.
type Org struct {
	Env   *apptest.Env
	Root  uuid.UUID
	Admin commands.Actor
	// AdminID is the administrator's account.
	AdminID uuid.UUID
	logins  int
}

// New establishes the root bureau on a fresh store of kind ("postgres" or
// "sqlite") with the bootstrap token, and appoints its administrator.
func New(t testing.TB, kind string) *Org {
	t.Helper()
	env := apptest.New(t, kind)
	o := &Org{Env: env}
	boot, err := env.App.Authenticate(t.Context(), env.BootstrapToken)
	if err != nil {
		t.Fatal(err)
	}
	o.Root = o.Unit(t, boot, "太原铁路局", "TYJ", org.LevelBureau, uuid.Nil)
	o.AdminID, o.Admin = o.SignUp(t, boot, o.Root, access.RoleBureauAdmin)
	return o
}

// Unit establishes a unit under parent (uuid.Nil: the root) by by.
func (o *Org) Unit(t testing.TB, by commands.Actor, name, code string, level org.Level, parent uuid.UUID) uuid.UUID {
	t.Helper()
	id, _, err := o.Env.App.EstablishUnit(t.Context(), by, commands.EstablishUnit{Name: name, Code: code, Level: level, ParentID: parent})
	if err != nil {
		t.Fatalf("establish %s: %v", name, err)
	}
	return id
}

// SignUp opens an account (login user1, user2, ...) with a position
// holding role at unit, appointed by by, and signs it in.
func (o *Org) SignUp(t testing.TB, by commands.Actor, unit uuid.UUID, role access.Role) (uuid.UUID, commands.Actor) {
	t.Helper()
	ctx := t.Context()
	o.logins++
	login := fmt.Sprintf("user%d", o.logins)
	id, _, err := o.Env.App.OpenAccount(ctx, by, commands.OpenAccount{Login: login, Password: "correct horse battery", Name: login})
	if err != nil {
		t.Fatalf("open account %s: %v", login, err)
	}
	if _, _, err := o.Env.App.AssignPosition(ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: "干事", Roles: []access.Role{role}}); err != nil {
		t.Fatalf("assign %s: %v", login, err)
	}
	signed, err := o.Env.App.Login(ctx, commands.Login{Login: login, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	actor, err := o.Env.App.Authenticate(ctx, signed.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", login, err)
	}
	return id, actor
}

// PublishHardship publishes HARD-LIVING, owned by the root: GrantFen fixed,
// an annual cap high enough for many cases, for the employee themself,
// paid from the line aid.hardship.
func (o *Org) PublishHardship(t testing.TB) {
	t.Helper()
	def := catalogue.Definition{
		Code: HardshipCode, Name: "困难职工生活补助", Category: catalogue.CategoryHardship, OwnerUnitID: o.Root,
		AmountRule: catalogue.FixedRule(GrantFen), AnnualCapFen: 1_000 * GrantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.hardship", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	}
	if _, err := o.Env.App.PublishStandard(t.Context(), o.Admin, commands.PublishStandard{Definition: def}); err != nil {
		t.Fatalf("publish %s: %v", HardshipCode, err)
	}
}

// HardshipFlow sets unit's approval flow for hardship cases to steps.
func (o *Org) HardshipFlow(t testing.TB, unit uuid.UUID, steps ...casework.FlowStep) {
	t.Helper()
	if _, _, err := o.Env.App.ConfigureFlow(t.Context(), o.Admin, commands.ConfigureFlow{UnitID: unit, Category: string(catalogue.CategoryHardship), Steps: steps}); err != nil {
		t.Fatalf("flow: %v", err)
	}
}

// Budget allocates unit's budget for year and line.
func (o *Org) Budget(t testing.TB, unit uuid.UUID, year int, line string, fen int64) uuid.UUID {
	t.Helper()
	id, _, err := o.Env.App.AllocateBudget(t.Context(), o.Admin, commands.AllocateBudget{UnitID: unit, Year: year, Line: line, AmountFen: fen})
	if err != nil {
		t.Fatalf("budget %s %d: %v", line, year, err)
	}
	return id
}

// SubmittedCase registers a new employee of unit, opens a HARD-LIVING case
// for requested fen for them and submits it, all by caseworker.
func (o *Org) SubmittedCase(t testing.TB, caseworker commands.Actor, unit uuid.UUID, requested int64) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	emp, _, err := o.Env.App.RegisterEmployee(ctx, caseworker, commands.RegisterEmployee{
		UnitID: unit, Name: "张伟", IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445",
	})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	id, _, err := o.Env.App.OpenCase(ctx, caseworker, commands.OpenCase{EmployeeID: emp, Beneficiary: casework.RelationSelf,
		StandardCode: HardshipCode, Causes: []string{"illness"}, RequestedFen: requested, Description: "家庭收入低于当地最低生活保障"})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := o.Env.App.SubmitCase(ctx, caseworker, commands.SubmitCase{CaseID: id}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return id
}
