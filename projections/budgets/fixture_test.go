package budgets_test

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

// fixture is a bureau with two stations, an administrator, a caseworker
// and an approver at the bureau, a hardship standard with a one-step flow,
// and budgets: the first station's own, the bureau's (which pays for the
// second station), and two the cases never touch (next year's, another
// line).
type fixture struct {
	*orgkit.Org
	env                         *apptest.Env
	root, station1, station2    uuid.UUID
	admin, caseworker, approver commands.Actor
	year                        int
	own, bureau, nextYear, med  uuid.UUID
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	o := orgkit.New(t, kind)
	f := &fixture{Org: o, env: o.Env, root: o.Root, admin: o.Admin, year: calendar.Year(time.Now())}
	f.station1 = o.Unit(t, f.admin, "车站一", "STA", org.LevelStation, f.root)
	f.station2 = o.Unit(t, f.admin, "车站二", "STB", org.LevelStation, f.root)
	_, f.caseworker = o.SignUp(t, f.admin, f.root, access.RoleCaseworker)
	approver, actor := o.SignUp(t, f.admin, f.root, access.RoleApprover)
	f.approver = actor
	o.PublishHardship(t)
	o.HardshipFlow(t, f.root, casework.FlowStep{Name: "路局审批", AssigneeAccountID: approver})
	f.own = o.Budget(t, f.station1, f.year, "aid.hardship", 3*grantFen)
	f.bureau = o.Budget(t, f.root, f.year, "aid.hardship", 4*grantFen)
	f.nextYear = o.Budget(t, f.station1, f.year+1, "aid.hardship", grantFen)
	f.med = o.Budget(t, f.root, f.year, "aid.medical", 2*grantFen)
	return f
}

// budgets lists the fixture's budgets in the order they were allocated.
func (f *fixture) budgets() []uuid.UUID { return []uuid.UUID{f.own, f.bureau, f.nextYear, f.med} }

// openCase opens and submits a case of requested fen for a new employee
// of unit.
func (f *fixture) openCase(t *testing.T, unit uuid.UUID, requested int64) uuid.UUID {
	t.Helper()
	return f.SubmittedCase(t, f.caseworker, unit, requested)
}
