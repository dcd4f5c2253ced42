package payment

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestLedger(t *testing.T) {
	t.Parallel()
	if _, err := NewLedger(-1); err == nil {
		t.Fatal("negative approval accepted")
	}
	if _, err := NewLedger(MaxFen + 1); err == nil {
		t.Fatal("huge approval accepted")
	}
	l, err := NewLedger(1000)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2, p3 := uuid.New(), uuid.New(), uuid.New()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wantFigures := func(paid, outstanding, remaining int64) {
		t.Helper()
		if l.Paid() != paid || l.Outstanding() != outstanding || l.Remaining() != remaining || l.Approved() != 1000 {
			t.Fatalf("paid %d outstanding %d remaining %d", l.Paid(), l.Outstanding(), l.Remaining())
		}
	}
	must(l.Instruct(p1, 600))
	wantFigures(0, 600, 400)
	var oe *OverpayError
	if err := l.Instruct(p2, 401); !errors.Is(err, ErrOverpay) || !errors.As(err, &oe) || oe.Remaining != 400 || oe.Requested != 401 {
		t.Fatalf("overpay: %v", err)
	}
	aggtest.WantField(t, l.Instruct(p2, 0), "amount_fen")
	aggtest.WantField(t, l.Instruct(p2, -3), "amount_fen")
	aggtest.WantField(t, l.Instruct(uuid.Nil, 3), "payment_id")
	if err := l.Instruct(p1, 1); !errors.Is(err, ErrDuplicatePayment) || !errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("duplicate: %v", err)
	}
	snapshot := l.Clone()
	must(l.Fail(p1))
	must(l.Fail(p1)) // again: no change
	wantFigures(0, 0, 1000)
	if snapshot.Outstanding() != 600 {
		t.Fatal("Clone shares state")
	}
	if err := l.Confirm(p1); !errors.Is(err, ErrFailed) {
		t.Fatalf("confirm failed: %v", err)
	}
	must(l.Instruct(p2, 1000))
	must(l.Confirm(p2))
	must(l.Confirm(p2)) // again: no change
	wantFigures(1000, 0, 0)
	if err := l.Fail(p2); !errors.Is(err, ErrConfirmed) {
		t.Fatalf("fail confirmed: %v", err)
	}
	if err := l.Instruct(p3, 1); !errors.As(err, &oe) || oe.Remaining != 0 {
		t.Fatalf("nothing left: %v", err)
	}
	if err := l.Confirm(p3); !errors.Is(err, ErrUnknownPayment) {
		t.Fatalf("unknown: %v", err)
	}
	if err := l.Fail(p3); !errors.Is(err, ErrUnknownPayment) {
		t.Fatalf("unknown: %v", err)
	}
	if e, ok := l.Entry(p1); !ok || e != (LedgerEntry{AmountFen: 600, Status: StatusFailed}) {
		t.Fatalf("entry %+v %v", e, ok)
	}
	var zero Ledger
	if err := zero.Instruct(p1, 1); !errors.Is(err, ErrOverpay) || zero.Remaining() != 0 {
		t.Fatalf("zero ledger: %v", err)
	}
}

// TestPropertyLedgerNeverOverpays runs random instruct, confirm and fail
// sequences, valid and not, and checks after every step that paid +
// outstanding never passes the approved amount, that Remaining is never
// negative, and that the figures equal the sums over the entries.
func TestPropertyLedgerNeverOverpays(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3, 4, rand.Uint64()} {
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(seed, ^seed))
		var ids []uuid.UUID
		var l Ledger
		for step := range 4000 {
			if step%200 == 0 { // a new case every 200 steps
				approved := r.Int64N(50_000)
				var err error
				if l, err = NewLedger(approved); err != nil {
					t.Fatal(err)
				}
				ids = ids[:0]
			}
			pick := func() uuid.UUID {
				if len(ids) == 0 || r.IntN(8) == 0 {
					return uuid.New() // unknown to the ledger
				}
				return ids[r.IntN(len(ids))]
			}
			before := l.Clone()
			var err error
			switch r.IntN(3) {
			case 0:
				id := uuid.New()
				if r.IntN(10) == 0 && len(ids) > 0 {
					id = ids[r.IntN(len(ids))] // a duplicate
				}
				amount := r.Int64N(l.Approved()/2+2) - 1 // sometimes zero or negative
				if err = l.Instruct(id, amount); err == nil {
					ids = append(ids, id)
				}
			case 1:
				err = l.Confirm(pick())
			case 2:
				err = l.Fail(pick())
			}
			if err != nil && (l.Paid() != before.Paid() || l.Outstanding() != before.Outstanding()) {
				t.Fatalf("seed %d step %d: a refused call changed the ledger", seed, step)
			}
			checkLedger(t, seed, step, &l)
		}
	}
}

func checkLedger(t *testing.T, seed uint64, step int, l *Ledger) {
	t.Helper()
	var paid, outstanding int64
	for _, e := range l.payments {
		if e.AmountFen <= 0 {
			t.Fatalf("seed %d step %d: entry %+v", seed, step, e)
		}
		switch e.Status {
		case StatusConfirmed:
			paid += e.AmountFen
		case StatusInstructed:
			outstanding += e.AmountFen
		}
	}
	if l.Paid()+l.Outstanding() > l.Approved() || l.Remaining() < 0 || paid != l.Paid() || outstanding != l.Outstanding() {
		t.Fatalf("seed %d step %d: approved %d paid %d (%d) outstanding %d (%d) remaining %d",
			seed, step, l.Approved(), l.Paid(), paid, l.Outstanding(), outstanding, l.Remaining())
	}
}
