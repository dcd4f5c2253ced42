package commands_test

import (
	"errors"
	"sync"
	"testing"

	"aidtrail/commands"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
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
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					_, _, errs[i] = apps[i%2].RegisterVisit(ctx, o.caseworker, o.festivalVisit(o.employees[:1], each, 0))
				})
			}
			close(start)
			wg.Wait()
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
