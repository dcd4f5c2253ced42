package commands_test

import (
	"sync"
	"testing"
	"time"

	"aidtrail/commands"
	"aidtrail/domain/casework"
	"aidtrail/internal/testkit/apptest"
)

// Twenty confirmations of one payment at once, with the bank's one
// reference (a results file sent twice, a retried request): every one
// succeeds, the first settles the payment and the others find it settled,
// and the budget spends the amount once.
func TestConcurrentConfirmationsSpendOnce(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		f := newMoney(t, kind, 10*grantFen)
		id := f.approvedCase(t)
		pid := f.instructed(t, id)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				if _, err := f.env.App.ConfirmPayment(t.Context(), f.admin, commands.ConfirmPayment{PaymentID: pid, BankRef: "BOC20261128042", On: time.Now()}); err != nil {
					t.Errorf("confirmation %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		b, err := f.env.Query.GetBudget(t.Context(), f.admin, f.budgetID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Spent != grantFen || b.Reserved != 0 {
			t.Fatalf("budget after 20 confirmations: %+v, want %d spent once", b, grantFen)
		}
		c, err := f.env.Query.GetCase(t.Context(), f.admin, id)
		if err != nil || c.PaidFen != grantFen || c.Status != casework.StatusPaid {
			t.Fatalf("case: %+v %v", c, err)
		}
	})
}
