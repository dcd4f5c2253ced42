package commands_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/visit"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
)

// visitOrg is a bureau with a station and a workshop under it, another
// station, a caseworker of each station, an analyst, two employees of the
// workshop and one of the other station, and a visits budget of the
// bureau for this year.
type visitOrg struct {
	*orgkit.Org
	station, workshop, other uuid.UUID
	caseworker, outsider     commands.Actor
	workerID                 uuid.UUID
	analyst                  commands.Actor
	employees                []uuid.UUID
	stranger                 uuid.UUID
	budget                   uuid.UUID
}

const visitBudgetFen = 100_000

func newVisitOrg(t testing.TB, kind string) *visitOrg {
	t.Helper()
	o := &visitOrg{Org: orgkit.New(t, kind)}
	o.station = o.Unit(t, o.Admin, "太原站", "TYZ", org.LevelStation, o.Root)
	o.workshop = o.Unit(t, o.Admin, "客运车间", "KY", org.LevelWorkshop, o.station)
	o.other = o.Unit(t, o.Admin, "大同站", "DTZ", org.LevelStation, o.Root)
	o.workerID, o.caseworker = o.SignUp(t, o.Admin, o.station, access.RoleCaseworker)
	_, o.outsider = o.SignUp(t, o.Admin, o.other, access.RoleCaseworker)
	_, o.analyst = o.SignUp(t, o.Admin, o.Root, access.RoleAnalyst)
	for range 2 {
		o.employees = append(o.employees, o.employee(t, o.workshop))
	}
	o.stranger = o.employee(t, o.other)
	o.budget = o.Budget(t, o.Root, calendar.Year(time.Now()), "care.visits", visitBudgetFen)
	return o
}

func (o *visitOrg) employee(t testing.TB, unit uuid.UUID) uuid.UUID {
	t.Helper()
	id, _, err := o.Env.App.RegisterEmployee(t.Context(), o.Admin, commands.RegisterEmployee{UnitID: unit, Name: "李娜", IDNumber: "11010519491231002X"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// festivalVisit is a Spring Festival visit by the station to employees,
// cash each and one bag of goods of goodsFen (none when 0), charged to
// the bureau's visits budget.
func (o *visitOrg) festivalVisit(employees []uuid.UUID, cash, goodsFen int64) commands.RegisterVisit {
	d := visit.Details{Occasion: visit.OccasionFestival, VisitedOn: time.Now().In(calendar.Zone).Format(visit.DateLayout),
		EmployeeIDs: employees, CashFenEach: cash, Visitors: []uuid.UUID{o.workerID}}
	if goodsFen > 0 {
		d.Goods = []visit.Goods{{Description: "米面油", ValueFen: goodsFen}}
	}
	return commands.RegisterVisit{UnitID: o.station, BudgetID: o.budget, Details: d}
}

func (o *visitOrg) budgetNow(t testing.TB) (spent, available int64) {
	t.Helper()
	b, err := o.Env.Query.GetBudget(t.Context(), o.Admin, o.budget)
	if err != nil {
		t.Fatal(err)
	}
	if b.Reserved+b.Spent > b.Allocated || b.Available != b.Allocated-b.Reserved-b.Spent {
		t.Fatalf("budget figures break the invariant: %+v", b)
	}
	return b.Spent, b.Available
}

// A visit charges its total to the budget; corrections charge or refund
// the difference and say why; a correction past the availability is
// refused.
func TestAVisitIsChargedAndCorrected(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newVisitOrg(t, kind)
		app := o.Env.App
		id, w, err := app.RegisterVisit(ctx, o.caseworker, o.festivalVisit(o.employees, 20_000, 10_000))
		if err != nil || w.Position == 0 {
			t.Fatalf("register: %v", err)
		}
		if spent, avail := o.budgetNow(t); spent != 50_000 || avail != 50_000 {
			t.Fatalf("after the visit: spent %d available %d", spent, avail)
		}
		if _, err := app.CorrectVisit(ctx, o.caseworker, commands.CorrectVisit{VisitID: id,
			Correction: visit.Correction{EmployeeIDs: o.employees[:1]}, Reason: "第二人当日不在"}); err != nil {
			t.Fatal(err)
		}
		if spent, _ := o.budgetNow(t); spent != 30_000 {
			t.Fatalf("after the refund: spent %d", spent)
		}
		cash := int64(90_001)
		_, err = app.CorrectVisit(ctx, o.caseworker, commands.CorrectVisit{VisitID: id, Correction: visit.Correction{CashFenEach: &cash}, Reason: "r"})
		var ee *budget.ExceededError
		if !errors.As(err, &ee) || ee.Available != 70_000 || ee.Requested != 70_001 {
			t.Fatalf("a correction past the availability: %v", err)
		}
		cash = 30_000
		if _, err := app.CorrectVisit(ctx, o.caseworker, commands.CorrectVisit{VisitID: id, Correction: visit.Correction{CashFenEach: &cash},
			Reason: "慰问金标准为三百元", IfMatch: 1}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("a stale If-Match: %v", err)
		}
		if _, err := app.CorrectVisit(ctx, o.caseworker, commands.CorrectVisit{VisitID: id, Correction: visit.Correction{CashFenEach: &cash},
			Reason: "慰问金标准为三百元", IfMatch: 2}); err != nil {
			t.Fatal(err)
		}
		if spent, avail := o.budgetNow(t); spent != 40_000 || avail != 60_000 {
			t.Fatalf("after the second correction: spent %d available %d", spent, avail)
		}
		if _, err := app.CorrectVisit(ctx, o.outsider, commands.CorrectVisit{VisitID: id, Correction: visit.Correction{CashFenEach: &cash},
			Reason: "r"}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("another station's caseworker correcting: %v", err)
		}
	})
}

// The test the issue names: a visit past the budget's availability is
// refused with budget_exceeded, and the log is exactly as it was.
func TestAVisitPastTheBudgetWritesNothing(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newVisitOrg(t, kind)
		before, err := o.Env.Store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = o.Env.App.RegisterVisit(ctx, o.caseworker, o.festivalVisit(o.employees, 45_000, 10_001))
		var ee *budget.ExceededError
		if !errors.As(err, &ee) || ee.Available != visitBudgetFen || ee.Requested != 100_001 {
			t.Fatalf("over the budget: %v", err)
		}
		after, err := o.Env.Store.Head(ctx)
		if err != nil || after != before {
			t.Fatalf("the log moved from %d to %d (%v)", before, after, err)
		}
		events, err := o.Env.Store.ReadAll(ctx, 0, 1_000_000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Type == visit.TypeRegistered || e.Type == budget.TypeCharged {
				t.Fatalf("a refused visit wrote %s", e.Type)
			}
		}
		if spent, avail := o.budgetNow(t); spent != 0 || avail != visitBudgetFen {
			t.Fatalf("spent %d available %d", spent, avail)
		}
		if _, _, err := o.Env.App.RegisterVisit(ctx, o.caseworker, o.festivalVisit(o.employees, 45_000, 10_000)); err != nil {
			t.Fatalf("exactly the availability: %v", err)
		}
	})
}

// Who may be visited, by whom, from which budget.
func TestVisitRefusals(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newVisitOrg(t, kind)
		app := o.Env.App
		erased := o.employee(t, o.workshop)
		if _, err := app.EraseEmployee(ctx, o.Admin, commands.EraseEmployee{EmployeeID: erased, Reason: "离职"}); err != nil {
			t.Fatal(err)
		}
		sibling := o.Budget(t, o.other, calendar.Year(time.Now()), "care.visits", 1_000_000)
		lastYear := o.Budget(t, o.Root, calendar.Year(time.Now())-1, "care.visits", 1_000_000)
		field := func(name string, change func(*commands.RegisterVisit), want string) {
			t.Helper()
			cmd := o.festivalVisit(o.employees, 10_000, 0)
			change(&cmd)
			_, _, err := app.RegisterVisit(ctx, o.caseworker, cmd)
			var ve *fault.ValidationError
			if !errors.As(err, &ve) || ve.Field != want {
				t.Errorf("%s: %v, want a validation error on %s", name, err, want)
			}
		}
		field("outside the unit", func(c *commands.RegisterVisit) { c.EmployeeIDs = []uuid.UUID{o.stranger} }, "employee_ids")
		field("erased", func(c *commands.RegisterVisit) { c.EmployeeIDs = []uuid.UUID{erased} }, "employee_ids")
		field("unknown employee", func(c *commands.RegisterVisit) { c.EmployeeIDs = []uuid.UUID{uuid.New()} }, "employee_ids")
		field("unknown visitor", func(c *commands.RegisterVisit) { c.Visitors = []uuid.UUID{uuid.New()} }, "visitors")
		field("a sibling's budget", func(c *commands.RegisterVisit) { c.BudgetID = sibling }, "budget_id")
		field("last year's budget", func(c *commands.RegisterVisit) { c.BudgetID = lastYear }, "budget_id")
		field("no budget", func(c *commands.RegisterVisit) { c.BudgetID = uuid.New() }, "budget_id")
		field("tomorrow", func(c *commands.RegisterVisit) {
			c.VisitedOn = time.Now().In(calendar.Zone).AddDate(0, 0, 1).Format(visit.DateLayout)
		}, "visited_on")
		for name, actor := range map[string]commands.Actor{"another station": o.outsider, "an analyst": o.analyst} {
			if _, _, err := app.RegisterVisit(ctx, actor, o.festivalVisit(o.employees, 10_000, 0)); !errors.Is(err, access.ErrForbidden) {
				t.Errorf("%s registering: %v", name, err)
			}
		}
		workshopVisit := o.festivalVisit(o.employees, 10_000, 0)
		workshopVisit.UnitID = o.workshop
		if _, _, err := app.RegisterVisit(ctx, o.caseworker, workshopVisit); err != nil {
			t.Errorf("a visit by the workshop, from the bureau's budget: %v", err)
		}
		if spent, _ := o.budgetNow(t); spent != 20_000 {
			t.Errorf("spent %d after the refusals and one visit", spent)
		}
	})
}

// A retried registration with the same Idempotency-Key registers and
// charges once, and answers the same id.
func TestARetriedVisitChargesOnce(t *testing.T) {
	ctx := t.Context()
	o := newVisitOrg(t, "postgres")
	actor := o.caseworker
	actor.IdempotencyKey, actor.CommandID = "visit-2026-spring", "visit-2026-spring"
	first, w1, err := o.Env.App.RegisterVisit(ctx, actor, o.festivalVisit(o.employees, 20_000, 0))
	if err != nil {
		t.Fatal(err)
	}
	again, w2, err := o.Env.App.RegisterVisit(ctx, actor, o.festivalVisit(o.employees, 20_000, 0))
	if err != nil || again != first || w2 != w1 {
		t.Fatalf("the retry: %s %v %v, first %s %v", again, w2, err, first, w1)
	}
	if spent, _ := o.budgetNow(t); spent != 40_000 {
		t.Fatalf("spent %d", spent)
	}
}
