package budgets_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
	"aidtrail/projections/budgets"
	"aidtrail/projections/units"
)

// Random money work through the application — cases approved (reserving)
// at two stations, one paid from its own budget and one from the
// bureau's, rejected and withdrawn cases, payments instructed, confirmed
// (spending, through the spending stream) and failed (the reservation
// stays for the next attempt), allocations increased — leaves rm_budgets
// with the figures query.Service.GetBudget computes from the event store, and its
// lists filter and page correctly.
func TestBudgetsFollowTheStore(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 13))
		ctx := t.Context()
		f := newFixture(t, kind)
		var cases, payments []uuid.UUID
		var approved, failed int
		confirmed := map[uuid.UUID]bool{}

		// Every run fails one payment and pays the case after all.
		first := f.openCase(t, f.station2, grantFen)
		if _, err := f.env.App.DecideCase(ctx, f.approver, commands.DecideCase{CaseID: first, Step: "路局审批",
			Decision: casework.Approve, AmountFen: grantFen}); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			pid, _, err := f.env.App.InstructPayment(ctx, f.admin, commands.InstructPayment{CaseID: first, AmountFen: grantFen})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				_, err = f.env.App.FailPayment(ctx, f.admin, commands.FailPayment{PaymentID: pid, Reason: "账户冻结"})
				failed++
			} else {
				_, err = f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: pid, BankRef: "BOC0001", On: time.Now()})
				confirmed[pid] = true
			}
			if err != nil {
				t.Fatal(err)
			}
			f.check(t)
		}
		cases = append(cases, first)
		approved++
		ops := 100
		if testing.Short() {
			ops = 40
		}
		for op := range ops {
			switch r := rng.IntN(20); {
			case r < 4 || len(cases) == 0:
				unit := []uuid.UUID{f.station1, f.station2}[rng.IntN(2)]
				cases = append(cases, f.openCase(t, unit, int64(100_000+rng.IntN(grantFen-100_000+1))))
			case r < 9:
				id := cases[rng.IntN(len(cases))]
				d := commands.DecideCase{CaseID: id, Step: "路局审批", Decision: casework.Approve,
					AmountFen: int64(50_000 + rng.IntN(50_001)), Reason: "审核意见"}
				if rng.IntN(5) == 0 {
					d.Decision = casework.Reject
				}
				_, err := f.env.App.DecideCase(ctx, f.approver, d)
				switch {
				case err == nil && d.Decision == casework.Approve:
					approved++
				case err == nil, errors.Is(err, fault.ErrInvalidState), errors.Is(err, budget.ErrExceeded):
				default:
					t.Fatalf("decide: %v", err)
				}
			case r < 10:
				_, _ = f.env.App.WithdrawCase(ctx, f.caseworker, commands.WithdrawCase{CaseID: cases[rng.IntN(len(cases))], Reason: "申请人撤回"})
			case r < 13:
				if id, _, err := f.env.App.InstructPayment(ctx, f.admin, commands.InstructPayment{CaseID: cases[rng.IntN(len(cases))], AmountFen: int64(10_000 + rng.IntN(40_001))}); err == nil {
					payments = append(payments, id)
				}
			case r < 18:
				if len(payments) == 0 {
					continue
				}
				p := payments[rng.IntN(len(payments))]
				if rng.IntN(3) == 0 {
					if _, err := f.env.App.FailPayment(ctx, f.admin, commands.FailPayment{PaymentID: p, Reason: "账户冻结"}); err == nil {
						failed++
					}
				} else if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: p, BankRef: "REF" + p.String()[:8], On: time.Now()}); err == nil {
					confirmed[p] = true
				}
			default:
				id := f.budgets()[rng.IntN(4)]
				if _, err := f.env.App.IncreaseBudget(ctx, f.admin, commands.IncreaseBudget{BudgetID: id, AmountFen: int64(1 + rng.IntN(grantFen)), Reason: "追加预算"}); err != nil {
					t.Fatal(err)
				}
			}
			if op%20 == 19 {
				f.check(t)
			}
		}
		f.check(t)
		t.Logf("%d cases, %d approved, %d payments, %d confirmed, %d failed", len(cases), approved, len(payments), len(confirmed), failed)
		if approved < 2 || len(confirmed) < 2 {
			// The first case is certain; the random work adds more on
			// nearly every seed. Too little of it says less, not wrong.
			t.Logf("the random work approved or confirmed little beyond the first case")
		}
		f.checkLists(t)

		// Catching up again with nothing new changes nothing.
		before := f.rows(t)
		pos1, err := projections.Checkpoint(ctx, f.env.DB, budgets.Name)
		if err != nil {
			t.Fatal(err)
		}
		if pos2, err := projections.CatchUp(ctx, f.env.DB, f.env.Store, budgets.New()); err != nil || pos2 != pos1 {
			t.Fatalf("catching up again: %d, %v; was at %d", pos2, err, pos1)
		}
		if after := f.rows(t); !reflect.DeepEqual(before, after) {
			t.Fatalf("catching up again changed rm_budgets:\n%+v\n%+v", before, after)
		}
	})
}

// check catches rm_budgets up with the store and compares every budget's
// row with query.Service.GetBudget.
func (f *fixture) check(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	head := readmodeltest.CatchUp(t, f.env, budgets.New())
	for _, id := range f.budgets() {
		want, err := f.env.Query.GetBudget(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := budgets.Get(ctx, f.env.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.AllocatedPosition <= 0 || got.UpdatedPosition < got.AllocatedPosition || got.UpdatedPosition > head {
			t.Fatalf("budget %s positions %d/%d, head %d", id, got.AllocatedPosition, got.UpdatedPosition, head)
		}
		if got.BudgetID != want.ID || got.UnitID != want.UnitID || got.Year != want.Year || got.Line != want.Line ||
			got.AllocatedFen != want.Allocated || got.ReservedFen != want.Reserved || got.SpentFen != want.Spent ||
			got.AvailableFen != want.Available {
			t.Fatalf("budget %s:\n got %+v\nwant %+v", id, got, want)
		}
		if got.ReservedFen+got.SpentFen > got.AllocatedFen || got.ReservedFen < 0 {
			t.Fatalf("budget %s breaks reserved + spent ≤ allocated: %+v", id, got)
		}
	}
	if _, err := budgets.Get(ctx, f.env.DB, uuid.New()); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("an unknown budget: %v, want not found", err)
	}
}

// rows returns every row of rm_budgets, in the order allocated.
func (f *fixture) rows(t *testing.T) []query.BudgetRow {
	t.Helper()
	rows, next, err := budgets.List(t.Context(), f.env.DB, query.BudgetFilter{Page: query.Page{Limit: 500}})
	if err != nil || next != 0 {
		t.Fatalf("list: %v, next %d", err, next)
	}
	return rows
}

// checkLists checks filters and paging against the fixture's budgets.
func (f *fixture) checkLists(t *testing.T) {
	t.Helper()
	readmodeltest.CatchUp(t, f.env, units.New())
	for _, c := range []struct {
		name   string
		filter query.BudgetFilter
		want   []uuid.UUID
	}{
		{"all", query.BudgetFilter{}, f.budgets()},
		{"no units", query.BudgetFilter{UnitIDs: []uuid.UUID{}}, nil},
		{"nowhere", query.BudgetFilter{Within: []uuid.UUID{}}, nil},
		{"the first station's", query.BudgetFilter{UnitIDs: []uuid.UUID{f.station1}}, []uuid.UUID{f.own, f.nextYear}},
		{"the stations'", query.BudgetFilter{UnitIDs: []uuid.UUID{f.station1, f.station2}}, []uuid.UUID{f.own, f.nextYear}},
		{"the bureau's own", query.BudgetFilter{UnitIDs: []uuid.UUID{f.root}}, []uuid.UUID{f.bureau, f.med}},
		{"under the bureau", query.BudgetFilter{Within: []uuid.UUID{f.root}}, f.budgets()},
		{"under the second station", query.BudgetFilter{Within: []uuid.UUID{f.station2}}, nil},
		{"under the first station, this year", query.BudgetFilter{Within: []uuid.UUID{f.station1}, Year: f.year}, []uuid.UUID{f.own}},
		{"this year", query.BudgetFilter{Year: f.year}, []uuid.UUID{f.own, f.bureau, f.med}},
		{"next year", query.BudgetFilter{Year: f.year + 1}, []uuid.UUID{f.nextYear}},
		{"hardship", query.BudgetFilter{Line: "aid.hardship"}, []uuid.UUID{f.own, f.bureau, f.nextYear}},
		{"medical at the bureau", query.BudgetFilter{Line: "aid.medical", UnitIDs: []uuid.UUID{f.root}}, []uuid.UUID{f.med}},
		{"no such line", query.BudgetFilter{Line: "aid.none"}, nil},
	} {
		for _, limit := range []int{1, 2, 0} {
			var got []uuid.UUID
			pages := 0
			filter := c.filter
			filter.Limit = limit
			for {
				rows, next, err := budgets.List(t.Context(), f.env.DB, filter)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				pages++
				for _, r := range rows {
					got = append(got, r.BudgetID)
				}
				if next == 0 {
					break
				}
				if len(rows) != limit || next <= filter.After {
					t.Fatalf("%s: page of %d (limit %d), next %d after %d", c.name, len(rows), limit, next, filter.After)
				}
				filter.After = next
			}
			if !reflect.DeepEqual(got, c.want) && (len(got) != 0 || len(c.want) != 0) {
				t.Fatalf("%s, limit %d: %v, want %v", c.name, limit, got, c.want)
			}
			if limit == 1 && pages < len(c.want) {
				t.Fatalf("%s: %d budgets in %d pages of 1", c.name, len(got), pages)
			}
		}
	}
}
