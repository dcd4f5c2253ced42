package budgets_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

// grantFen is what the fixture's standard pays at most: 5,000 yuan.
const grantFen = 500_000

// fixture is a bureau with two stations, an administrator, a caseworker
// and an approver at the bureau, a hardship standard with a one-step flow,
// and budgets: the first station's own, the bureau's (which pays for the
// second station), and two the cases never touch (next year's, another
// line).
type fixture struct {
	env                         *apptest.Env
	root, station1, station2    uuid.UUID
	admin, caseworker, approver commands.Actor
	year                        int
	own, bureau, nextYear, med  uuid.UUID
	logins                      int
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	ctx := t.Context()
	env := apptest.New(t, kind)
	f := &fixture{env: env, year: calendar.Year(time.Now())}
	boot, err := env.App.Authenticate(ctx, env.BootstrapToken)
	if err != nil {
		t.Fatal(err)
	}
	if f.root, _, err = env.App.EstablishUnit(ctx, boot, commands.EstablishUnit{Name: "太原铁路局", Code: "TYJ", Level: org.LevelBureau}); err != nil {
		t.Fatal(err)
	}
	_, f.admin = f.signUp(t, boot, f.root, access.RoleBureauAdmin)
	for i, u := range []*uuid.UUID{&f.station1, &f.station2} {
		if *u, _, err = env.App.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "车站" + string(rune('一'+i)),
			Code: "ST" + string(rune('A'+i)), Level: org.LevelStation, ParentID: f.root}); err != nil {
			t.Fatal(err)
		}
	}
	_, f.caseworker = f.signUp(t, f.admin, f.root, access.RoleCaseworker)
	approver, actor := f.signUp(t, f.admin, f.root, access.RoleApprover)
	f.approver = actor
	def := catalogue.Definition{
		Code: "HARD-LIVING", Name: "困难职工生活补助", Category: catalogue.CategoryHardship, OwnerUnitID: f.root,
		AmountRule: catalogue.FixedRule(grantFen), AnnualCapFen: 1_000 * grantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.hardship", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	}
	if _, err := env.App.PublishStandard(ctx, f.admin, def); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.ConfigureFlow(ctx, f.admin, f.root, "hardship",
		[]casework.FlowStep{{Name: "路局审批", AssigneeAccountID: approver}}, 0); err != nil {
		t.Fatal(err)
	}
	for _, b := range []struct {
		id   *uuid.UUID
		unit uuid.UUID
		year int
		line string
		fen  int64
	}{
		{&f.own, f.station1, f.year, "aid.hardship", 3 * grantFen},
		{&f.bureau, f.root, f.year, "aid.hardship", 4 * grantFen},
		{&f.nextYear, f.station1, f.year + 1, "aid.hardship", grantFen},
		{&f.med, f.root, f.year, "aid.medical", 2 * grantFen},
	} {
		if *b.id, _, err = env.App.AllocateBudget(ctx, f.admin, b.unit, b.year, b.line, b.fen); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// budgets lists the fixture's budgets in the order they were allocated.
func (f *fixture) budgets() []uuid.UUID { return []uuid.UUID{f.own, f.bureau, f.nextYear, f.med} }

// signUp opens an account with a position holding role at unit and signs
// it in.
func (f *fixture) signUp(t *testing.T, by commands.Actor, unit uuid.UUID, role access.Role) (uuid.UUID, commands.Actor) {
	t.Helper()
	ctx := t.Context()
	f.logins++
	login := "user" + string(rune('a'+f.logins))
	id, _, err := f.env.App.OpenAccount(ctx, by, commands.OpenAccount{Login: login, Password: "correct horse battery", Name: login})
	if err != nil {
		t.Fatalf("open account %s: %v", login, err)
	}
	if _, _, err := f.env.App.AssignPosition(ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: "干事", Roles: []access.Role{role}}); err != nil {
		t.Fatalf("assign %s: %v", login, err)
	}
	signed, err := f.env.App.Login(ctx, commands.Login{Login: login, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	actor, err := f.env.App.Authenticate(ctx, signed.Token)
	if err != nil {
		t.Fatal(err)
	}
	return id, actor
}

// openCase opens and submits a case of requested fen for a new employee
// of unit.
func (f *fixture) openCase(t *testing.T, unit uuid.UUID, requested int64) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	emp, _, err := f.env.App.RegisterEmployee(ctx, f.caseworker, commands.RegisterEmployee{
		UnitID: unit, Name: "张伟", IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445",
	})
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := f.env.App.OpenCase(ctx, f.caseworker, commands.OpenCase{EmployeeID: emp, Beneficiary: casework.RelationSelf,
		StandardCode: "HARD-LIVING", Causes: []string{"illness"}, RequestedFen: requested, Description: "家庭收入低于当地最低生活保障"})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := f.env.App.SubmitCase(ctx, f.caseworker, id); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return id
}
