package inbox_test

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

// org is a bureau with one station, its administrator and caseworker, a
// hardship standard, a three-step flow at the station (the third step only
// from 3,000 yuan) held by three approvers, and budgets ample for every
// approval.
type fixture struct {
	env               *apptest.Env
	root, station     uuid.UUID
	admin, caseworker commands.Actor
	actors            map[uuid.UUID]commands.Actor // every signed-up account
	vacated           map[uuid.UUID]bool           // accounts whose position was vacated
	flow              []casework.FlowStep
	logins            int
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	ctx := t.Context()
	env := apptest.New(t, kind)
	f := &fixture{env: env, actors: map[uuid.UUID]commands.Actor{}, vacated: map[uuid.UUID]bool{}}
	boot, err := env.App.Authenticate(ctx, env.BootstrapToken)
	if err != nil {
		t.Fatal(err)
	}
	if f.root, _, err = env.App.EstablishUnit(ctx, boot, commands.EstablishUnit{Name: "太原铁路局", Code: "TYJ", Level: org.LevelBureau}); err != nil {
		t.Fatal(err)
	}
	_, f.admin = f.signUp(t, boot, f.root, access.RoleBureauAdmin)
	if f.station, _, err = env.App.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "太原站", Code: "TYZ", Level: org.LevelStation, ParentID: f.root}); err != nil {
		t.Fatal(err)
	}
	_, f.caseworker = f.signUp(t, f.admin, f.station, access.RoleCaseworker)
	def := catalogue.Definition{
		Code: "HARD-LIVING", Name: "困难职工生活补助", Category: catalogue.CategoryHardship, OwnerUnitID: f.root,
		AmountRule: catalogue.FixedRule(grantFen), AnnualCapFen: 1_000 * grantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.hardship", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	}
	if _, err := env.App.PublishStandard(ctx, f.admin, def); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"站段审核", "工会审核", "路局审批"} {
		a, _ := f.signUp(t, f.admin, f.station, access.RoleApprover)
		f.flow = append(f.flow, casework.FlowStep{Name: name, AssigneeAccountID: a, MinAmountFen: int64(i/2) * 300_000})
	}
	f.configureFlow(t)
	year := calendar.Year(time.Now())
	if _, _, err := env.App.AllocateBudget(ctx, f.admin, f.station, year, "aid.hardship", 10_000*grantFen); err != nil {
		t.Fatal(err)
	}
	return f
}

// signUp opens an account with a position holding role at unit and signs
// it in.
func (f *fixture) signUp(t *testing.T, by commands.Actor, unit uuid.UUID, role access.Role) (uuid.UUID, commands.Actor) {
	t.Helper()
	ctx := t.Context()
	f.logins++
	login := "user" + string(rune('a'+f.logins/26)) + string(rune('a'+f.logins%26))
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
	f.actors[id] = actor
	return id, actor
}

func (f *fixture) configureFlow(t *testing.T) {
	t.Helper()
	if _, _, err := f.env.App.ConfigureFlow(t.Context(), f.admin, f.station, "hardship", f.flow, 0); err != nil {
		t.Fatalf("flow: %v", err)
	}
}

// openCase opens a case of requested fen for a new employee and submits it.
func (f *fixture) openCase(t *testing.T, requested int64) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	emp, _, err := f.env.App.RegisterEmployee(ctx, f.caseworker, commands.RegisterEmployee{
		UnitID: f.station, Name: "张伟", IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445",
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

// loadCase rebuilds a case from the event store.
func (f *fixture) loadCase(t *testing.T, id uuid.UUID) *casework.Case {
	t.Helper()
	history, err := f.env.Store.ReadStream(t.Context(), casework.CaseStream(id), 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := casework.LoadCase(id, history)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// handOver vacates the position of the flow's step i holder with a new
// approver as successor, and names the successor in the flow from now on.
func (f *fixture) handOver(t *testing.T, i int) []commands.HandOver {
	t.Helper()
	ctx := t.Context()
	old := f.flow[i].AssigneeAccountID
	successor, _ := f.signUp(t, f.admin, f.station, access.RoleApprover)
	history, err := f.env.Store.ReadStream(ctx, access.AccountStream(old), 1)
	if err != nil {
		t.Fatal(err)
	}
	account, err := access.LoadAccount(old, history)
	if err != nil {
		t.Fatal(err)
	}
	handed, _, err := f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: old,
		PositionID: account.ActivePositions()[0].ID, SuccessorID: &successor, Reason: "调离"})
	if err != nil {
		t.Fatalf("vacate: %v", err)
	}
	f.vacated[old] = true
	f.flow[i].AssigneeAccountID = successor
	f.configureFlow(t)
	return handed
}
