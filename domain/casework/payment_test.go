package casework

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestPayments(t *testing.T) {
	t.Parallel()
	t.Run("instructing beyond the approved amount", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusApproved) // 40,000 approved
		f.must(t, f.c.InstructPayment(uuid.New(), 30_000))
		err := f.c.InstructPayment(uuid.New(), 10_001)
		var oe *OverpayError
		if !errors.As(err, &oe) || oe.RemainingFen() != 10_000 || !errors.Is(err, ErrOverpay) || errors.Is(err, ErrAlreadyPaid) {
			t.Fatalf("got %v", err)
		}
		f.must(t, f.c.InstructPayment(uuid.New(), 10_000))
		err = f.c.InstructPayment(uuid.New(), 1)
		if !errors.Is(err, ErrAlreadyPaid) || errors.Is(err, ErrOverpay) {
			t.Fatalf("got %v, want already paid", err)
		}
		wantField(t, f.c.InstructPayment(uuid.New(), 0), "amount_fen")
	})
	t.Run("fail then instruct again, confirm to paid", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusApproved)
		p1, p2, p3 := uuid.New(), uuid.New(), uuid.New()
		f.must(t, f.c.InstructPayment(p1, 40_000))
		f.must(t, f.c.FailPayment(p1, "bank account closed"))
		if f.c.OutstandingFen() != 0 || f.c.PaidFen() != 0 {
			t.Fatal("a failed payment still counts")
		}
		aggtest.WantErr(t, f.c.ConfirmPayment(p1), ErrInconsistent)
		aggtest.WantErr(t, f.c.InstructPayment(p1, 1), fault.ErrInvalidState) // ids are never reused
		f.must(t, f.c.InstructPayment(p2, 25_000))
		f.must(t, f.c.InstructPayment(p3, 15_000))
		f.must(t, f.c.ConfirmPayment(p2))
		if f.c.Status() != StatusApproved || f.c.PaidFen() != 25_000 {
			t.Fatal("paid before the whole amount")
		}
		aggtest.WantErr(t, f.c.Close("stop"), fault.ErrInvalidState) // a payment is outstanding
		f.must(t, f.c.ConfirmPayment(p3))
		if f.c.Status() != StatusPaid || f.c.PaidFen() != 40_000 {
			t.Fatalf("status %s paid %d", f.c.Status(), f.c.PaidFen())
		}
		aggtest.WantErr(t, f.c.ConfirmPayment(p3), ErrInconsistent) // confirmed twice
		aggtest.WantErr(t, f.c.InstructPayment(uuid.New(), 1), ErrAlreadyPaid)
	})
	t.Run("a failure needs a reason", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusApproved)
		id := uuid.New()
		f.must(t, f.c.InstructPayment(id, 1))
		wantField(t, f.c.FailPayment(id, " "), "reason")
	})
	t.Run("closing an approved case part-paid needs a reason", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusApproved)
		wantField(t, f.c.Close(""), "reason")
		f.must(t, f.c.Close("the employee declined the rest"))
	})
}
