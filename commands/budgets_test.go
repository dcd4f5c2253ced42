package commands_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/fault"
	"aidtrail/internal/testkit/apptest"
)

// One budget per unit, year and line: of ten identical allocations sent at
// once, exactly one succeeds and the others are conflicts.
func TestAllocateBudgetOnceUnderConcurrency(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		const n = 10
		ids := make([]uuid.UUID, n)
		errs := make([]error, n)
		atOnce(n, func(i int) {
			ids[i], _, errs[i] = f.env.App.AllocateBudget(ctx, f.admin, commands.AllocateBudget{UnitID: f.station, Year: 2026, Line: "aid.medical", AmountFen: 80_000_000})
		})
		var won uuid.UUID
		for i, err := range errs {
			switch {
			case err == nil && won == uuid.Nil:
				won = ids[i]
			case err == nil:
				t.Errorf("a second allocation succeeded: %s and %s", won, ids[i])
			case !errors.Is(err, fault.ErrConflict):
				t.Errorf("allocation %d: %v, want ErrConflict", i, err)
			}
		}
		if won == uuid.Nil {
			t.Fatal("no allocation succeeded")
		}
		b, err := f.env.Query.GetBudget(ctx, f.admin, won)
		if err != nil || b.Allocated != 80_000_000 || b.Available != 80_000_000 || b.Reserved != 0 || b.Spent != 0 || b.UnitID != f.station {
			t.Fatalf("the budget: %+v %v", b, err)
		}
		if _, err := f.env.App.IncreaseBudget(ctx, f.admin, commands.IncreaseBudget{BudgetID: won, AmountFen: 20_000_000, Reason: "年中追加", IfMatch: b.Version}); err != nil {
			t.Fatal(err)
		}
		if b, _ = f.env.Query.GetBudget(ctx, f.admin, won); b.Allocated != 100_000_000 || b.Available != 100_000_000 {
			t.Errorf("after the increase: %+v", b)
		}
		if _, _, err := f.env.App.AllocateBudget(ctx, f.admin, commands.AllocateBudget{UnitID: f.station, Year: 2027, Line: "aid.medical", AmountFen: 1}); err != nil {
			t.Errorf("the next year's budget: %v", err)
		}
		if _, err := f.env.Query.GetBudget(ctx, f.caseworker, won); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker reading the budget: %v, want ErrForbidden", err)
		}
		if _, _, err := f.env.App.AllocateBudget(ctx, f.caseworker, commands.AllocateBudget{UnitID: f.station, Year: 2028, Line: "aid.medical", AmountFen: 1}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker allocating: %v, want ErrForbidden", err)
		}
	})
}
