package budgets_test

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/budget"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections/budgets"
)

// Histories written by hand, for what the application does not write
// today: a reservation released (a case withdrawn or closed with money
// reserved), a spend in the budget's own stream as older histories hold
// it. The row must say what the budget aggregate rebuilt from the same
// streams says.
func TestBudgetsFromWrittenHistories(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := t.Context()
		id, unit, case1, case2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
		s := budget.Stream(id)
		first := readmodeltest.Append(t, env, s, budget.TypeAllocated, budget.Allocated{BudgetID: id, UnitID: unit, Year: 2026, Line: "aid.medical", AmountFen: 1_000_000})
		readmodeltest.Append(t, env, s, budget.TypeIncreased, budget.Increased{AmountFen: 200_000, Reason: "追加"})
		readmodeltest.Append(t, env, s, budget.TypeReserved, budget.Reserved{CaseID: case1, AmountFen: 300_000})
		readmodeltest.Append(t, env, s, budget.TypeReserved, budget.Reserved{CaseID: case2, AmountFen: 400_000})
		readmodeltest.Append(t, env, s, budget.TypeSpent, budget.Spent{CaseID: case1, PaymentID: uuid.New(), AmountFen: 100_000})
		readmodeltest.Append(t, env, s, budget.TypeReleased, budget.Released{CaseID: case1, AmountFen: 200_000, Reason: "案件撤回"})
		last := readmodeltest.Append(t, env, budget.SpendingStream(id), budget.TypeSpent, budget.Spent{CaseID: case2, PaymentID: uuid.New(), AmountFen: 150_000})
		readmodeltest.CatchUp(t, env, budgets.New())
		got, err := budgets.Get(ctx, env.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		history, err := env.Store.ReadStream(ctx, s, 1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := budget.LoadBudget(id, history)
		if err != nil {
			t.Fatal(err)
		}
		spending, err := env.Store.ReadStream(ctx, budget.SpendingStream(id), 1)
		if err != nil {
			t.Fatal(err)
		}
		spent, _, err := budget.Spending(spending)
		if err != nil {
			t.Fatal(err)
		}
		want := query.BudgetRow{BudgetID: id, UnitID: unit, Year: 2026, Line: "aid.medical",
			AllocatedFen: b.Allocated(), ReservedFen: b.Reserved() - spent, SpentFen: b.Spent() + spent,
			AvailableFen: b.Available(), AllocatedPosition: first, UpdatedPosition: last}
		if got != want {
			t.Fatalf("budget:\n got %+v\nwant %+v", got, want)
		}
		if want.ReservedFen != 250_000 || want.SpentFen != 250_000 || want.AvailableFen != 700_000 {
			t.Fatalf("the history does not mean what the test says: %+v", want)
		}
	})
}

// An event of a budget's streams the projection cannot apply stops it
// there, every time: it holds money and never skips.
func TestBudgetsStopAtWhatTheyCannotApply(t *testing.T) {
	id := uuid.New()
	allocated := budget.Allocated{BudgetID: id, UnitID: uuid.New(), Year: 2026, Line: "aid.hardship", AmountFen: 1_000_000}
	for _, c := range []struct {
		name          string
		stream, typ   string
		data          any
		want          string
		withoutBudget bool
	}{
		{"unknown type", budget.Stream(id), "budget.frozen", map[string]any{"reason": "审计"}, "unknown budget event type", false},
		{"unknown type in a spending stream", budget.SpendingStream(id), "budget.refunded", map[string]any{"amount_fen": 1}, "spending stream", false},
		{"budget event elsewhere", "ledger-" + id.String(), budget.TypeIncreased, budget.Increased{AmountFen: 1, Reason: "x"}, "not a budget stream", false},
		{"malformed payload", budget.Stream(id), budget.TypeReserved, map[string]any{"amount_fen": "many"}, "budget.reserved", false},
		{"amount not positive", budget.Stream(id), budget.TypeReleased, budget.Released{CaseID: uuid.New(), AmountFen: 0}, "amount_fen", false},
		{"spent before allocated", budget.SpendingStream(id), budget.TypeSpent, budget.Spent{CaseID: uuid.New(), PaymentID: uuid.New(), AmountFen: 5}, "not allocated", true},
	} {
		for _, kind := range apptest.Kinds {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				env := apptest.New(t, kind)
				if !c.withoutBudget {
					readmodeltest.Append(t, env, budget.Stream(id), budget.TypeAllocated, allocated)
				}
				good := readmodeltest.CatchUp(t, env, budgets.New())
				readmodeltest.Append(t, env, c.stream, c.typ, c.data)
				readmodeltest.Append(t, env, budget.Stream(id), budget.TypeIncreased, budget.Increased{AmountFen: 7, Reason: "之后"})
				if cp := readmodeltest.Refuses(t, env, budgets.New(), c.want); cp != good {
					t.Fatalf("refused at %d; want the checkpoint left at %d", cp, good)
				}
				if !c.withoutBudget {
					if row, err := budgets.Get(ctx, env.DB, id); err != nil || row.AllocatedFen != allocated.AmountFen {
						t.Fatalf("the budget after the refusal: %+v, %v", row, err)
					}
				}
			})
		}
	}
}
