package commands_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/event"
	"aidtrail/domain/visit"
)

// Invariant 2 under attack: visits registered at once against one budget,
// through two Apps on the same store (two processes: separate stream
// locks and budget caches, so only the append's expected version keeps
// them apart), never spend more than was allocated, and the budget spent
// exactly what the visits that succeeded cost.
func TestConcurrentVisitsNeverOverspend(t *testing.T) {
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			o := newVisitOrg(t, kind)
			apps := []*commands.App{o.Env.App, o.Env.With(t, func(*commands.Deps) {})}
			const n, each = 24, 30_000 // 100,000 fen hold three
			errs := make([]error, n)
			atOnce(n, func(i int) {
				_, _, errs[i] = apps[i%2].RegisterVisit(ctx, o.caseworker, o.festivalVisit(o.employees[:1], each, 0))
			})
			won, exceeded, busy := 0, 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case errors.Is(err, budget.ErrExceeded):
					exceeded++
				case errors.Is(err, event.ErrConcurrency):
					busy++ // gave up after its attempts: refused, nothing written
				default:
					t.Errorf("visit: %v", err)
				}
			}
			spent, avail := o.budgetNow(t)
			t.Logf("%d visits charged, %d refused as over the budget, %d as busy; spent %d, available %d", won, exceeded, busy, spent, avail)
			if spent != int64(won)*each || spent > visitBudgetFen || won == 0 || exceeded == 0 {
				t.Fatalf("%d visits won, spent %d of %d", won, spent, visitBudgetFen)
			}
			if busy == 0 && won != visitBudgetFen/each {
				t.Fatalf("%d visits won, want %d", won, visitBudgetFen/each)
			}
		})
	}
}

// Ten visits and ten final approvals at once against one budget that
// covers twelve of them, so that both kinds of writer must win some: the
// budget's stream orders them, exactly twelve succeed, and reserved +
// spent never passes the allocation.
func TestVisitsAndApprovalsShareABudget(t *testing.T) {
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			const covered = 12
			f := newMoney(t, kind, covered*grantFen)
			const each = 10
			cases, emps := make([]uuid.UUID, each), make([]uuid.UUID, each)
			for i := range each {
				cases[i] = f.caseAwaitingFinalApproval(t)
				var err error
				if emps[i], _, err = register(ctx, f.env, f.caseworker, f.station); err != nil {
					t.Fatal(err)
				}
			}
			errs := make([]error, 2*each)
			atOnce(2*each, func(i int) {
				if i < each {
					errs[i] = f.approve(t, cases[i])
					return
				}
				_, _, errs[i] = f.env.App.RegisterVisit(ctx, f.caseworker, commands.RegisterVisit{UnitID: f.station, BudgetID: f.budgetID,
					Details: visit.Details{Occasion: visit.OccasionIllness, VisitedOn: time.Now().In(calendar.Zone).Format(visit.DateLayout),
						EmployeeIDs: emps[i-each : i-each+1], CashFenEach: grantFen, Visitors: []uuid.UUID{f.workerID}}})
			})
			approved, visited := 0, 0
			for i, err := range errs {
				switch {
				case err == nil && i < each:
					approved++
				case err == nil:
					visited++
				case !errors.Is(err, budget.ErrExceeded):
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			b, err := f.env.Query.GetBudget(ctx, f.admin, f.budgetID)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d approvals and %d visits won; budget %+v", approved, visited, b)
			if approved+visited != covered || b.Reserved != int64(approved)*grantFen || b.Spent != int64(visited)*grantFen ||
				b.Reserved+b.Spent > b.Allocated || b.Available != 0 {
				t.Fatalf("%d approvals and %d visits won; budget %+v", approved, visited, b)
			}
		})
	}
}
