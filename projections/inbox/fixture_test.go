package inbox_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
)

// grantFen is what the fixture's standard pays at most: 5,000 yuan.
const grantFen = orgkit.GrantFen

// fixture is a bureau with one station, its administrator and caseworker, a
// hardship standard, a three-step flow at the station (the third step only
// from 3,000 yuan) held by three approvers, and budgets ample for every
// approval.
type fixture struct {
	*orgkit.Org
	env               *apptest.Env
	root, station     uuid.UUID
	admin, caseworker commands.Actor
	actors            map[uuid.UUID]commands.Actor // every signed-up account
	vacated           map[uuid.UUID]bool           // accounts whose position was vacated
	flow              []casework.FlowStep
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	o := orgkit.New(t, kind)
	f := &fixture{Org: o, env: o.Env, root: o.Root, admin: o.Admin,
		actors: map[uuid.UUID]commands.Actor{o.AdminID: o.Admin}, vacated: map[uuid.UUID]bool{}}
	f.station = o.Unit(t, f.admin, "太原站", "TYZ", org.LevelStation, f.root)
	_, f.caseworker = f.signUp(t, f.admin, f.station, access.RoleCaseworker)
	o.PublishHardship(t)
	for i, name := range []string{"站段审核", "工会审核", "路局审批"} {
		a, _ := f.signUp(t, f.admin, f.station, access.RoleApprover)
		f.flow = append(f.flow, casework.FlowStep{Name: name, AssigneeAccountID: a, MinAmountFen: int64(i/2) * 300_000})
	}
	f.configureFlow(t)
	o.Budget(t, f.station, calendar.Year(time.Now()), "aid.hardship", 10_000*grantFen)
	return f
}

// signUp opens an account with a position holding role at unit, signs it
// in and keeps its actor.
func (f *fixture) signUp(t *testing.T, by commands.Actor, unit uuid.UUID, role access.Role) (uuid.UUID, commands.Actor) {
	t.Helper()
	id, actor := f.SignUp(t, by, unit, role)
	f.actors[id] = actor
	return id, actor
}

func (f *fixture) configureFlow(t *testing.T) {
	t.Helper()
	f.HardshipFlow(t, f.station, f.flow...)
}

// openCase opens a case of requested fen for a new employee and submits it.
func (f *fixture) openCase(t *testing.T, requested int64) uuid.UUID {
	t.Helper()
	return f.SubmittedCase(t, f.caseworker, f.station, requested)
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
