package budget

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

// Visits charge straight to spent within what is available, alongside
// cases' reservations; refunds give back at most what a visit holds.
func TestChargeRefund(t *testing.T) {
	t.Parallel()
	h := newBudget(t, 10_000)
	c, v1, v2 := uuid.New(), uuid.New(), uuid.New()
	for _, step := range []func(b *Budget) error{
		func(b *Budget) error { return b.Reserve(c, 4000) },
		func(b *Budget) error { return b.Charge(v1, 3000) },
		func(b *Budget) error { return b.Charge(v1, 500) },
		func(b *Budget) error { return b.Charge(v2, 2500) },
		func(b *Budget) error { return b.Refund(v1, 1500, "one employee was not visited") },
	} {
		if err := h.do(step); err != nil {
			t.Fatal(err)
		}
	}
	b := h.load()
	if b.Spent() != 4500 || b.Reserved() != 4000 || b.Available() != 1500 || b.ChargedFor(v1) != 2000 ||
		b.ChargedFor(v2) != 2500 || b.ChargedFor(uuid.New()) != 0 {
		t.Fatalf("figures %+v", b.s)
	}
	var ee *ExceededError
	if err := h.do(func(b *Budget) error { return b.Charge(v2, 1501) }); !errors.As(err, &ee) || ee.Available != 1500 ||
		!errors.Is(err, ErrExceeded) {
		t.Fatalf("over the availability: %v", err)
	}
	if err := h.do(func(b *Budget) error { return b.Refund(v1, 2001, "r") }); !errors.Is(err, ErrNotCharged) ||
		!errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("refund beyond the charges: %v", err)
	}
	if err := h.do(func(b *Budget) error { return b.Refund(v2, 2500, "visit entered twice") }); err != nil {
		t.Fatal(err)
	}
	if b := h.load(); b.ChargedFor(v2) != 0 || b.Spent() != 2000 || b.Available() != 4000 {
		t.Fatalf("after the whole refund %+v", b.s)
	}
	for _, tt := range []struct {
		decide func(b *Budget) error
		field  string
	}{
		{func(b *Budget) error { return b.Charge(uuid.Nil, 1) }, "visit_id"},
		{func(b *Budget) error { return b.Charge(v1, 0) }, "amount_fen"},
		{func(b *Budget) error { return b.Refund(uuid.Nil, 1, "r") }, "visit_id"},
		{func(b *Budget) error { return b.Refund(v1, -1, "r") }, "amount_fen"},
		{func(b *Budget) error { return b.Refund(v1, 1, " ") }, "reason"},
	} {
		aggtest.WantField(t, h.do(tt.decide), tt.field)
	}
}

// Replay refuses charges beyond the allocation and refunds beyond a
// visit's charges, so a history written past the service still holds the
// invariant.
func TestLoadRefusesBrokenCharges(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id, v := uuid.New(), uuid.New()
	s := Stream(id)
	alloc := rec(s, 1, TypeAllocated, `{"budget_id":"`+id.String()+`","unit_id":"`+uuid.NewString()+`","year":2026,"line":"care.visits","amount_fen":100}`)
	charge := func(version int64, fen string) event.Recorded {
		return rec(s, version, TypeCharged, `{"visit_id":"`+v.String()+`","amount_fen":`+fen+`}`)
	}
	for name, history := range map[string][]event.Recorded{
		"over the allocation": {alloc, charge(2, "101")},
		"zero":                {alloc, charge(2, "0")},
		"no visit":            {alloc, rec(s, 2, TypeCharged, `{"amount_fen":1}`)},
		"refund beyond":       {alloc, charge(2, "10"), rec(s, 3, TypeRefunded, `{"visit_id":"`+v.String()+`","amount_fen":11,"reason":"r"}`)},
		"refund other visit":  {alloc, charge(2, "10"), rec(s, 3, TypeRefunded, `{"visit_id":"`+uuid.NewString()+`","amount_fen":1,"reason":"r"}`)},
	} {
		if _, err := LoadBudget(id, history); !errors.Is(err, fault.ErrHistory) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	b, err := LoadBudget(id, []event.Recorded{alloc, charge(2, "60"), rec(s, 3, TypeRefunded, `{"visit_id":"`+v.String()+`","amount_fen":20,"reason":"r"}`)})
	if err != nil || b.Spent() != 40 || b.Available() != 60 || b.ChargedFor(v) != 40 {
		t.Fatalf("load: %v %+v", err, b)
	}
}

// Random charges, refunds and reservations, valid and not, each decided on
// the budget loaded from its stream and committed (replay must rebuild
// the same state): reserved + spent never passes allocated, and each
// visit's charges less refunds match an independent tally.
func TestPropertyChargesKeepTheInvariant(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{7, 2026, rand.Uint64()} {
		r := rand.New(rand.NewPCG(seed, seed+1))
		const alloc = 50_000
		h := newBudget(t, alloc)
		visits := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		tally := map[uuid.UUID]int64{}
		refused := 0
		for range 300 {
			v, fen := visits[r.IntN(len(visits))], 1+r.Int64N(alloc/5)
			var err error
			switch r.IntN(3) {
			case 0:
				if err = h.do(func(b *Budget) error { return b.Charge(v, fen) }); err == nil {
					tally[v] += fen
				}
			case 1:
				if err = h.do(func(b *Budget) error { return b.Refund(v, fen, "更正") }); err == nil {
					tally[v] -= fen
				}
			default:
				err = h.do(func(b *Budget) error { return b.Reserve(uuid.New(), fen) })
			}
			if err != nil {
				refused++
			}
			b := h.load()
			if b.Reserved()+b.Spent() > b.Allocated() || b.Available() < 0 {
				t.Fatalf("seed %d: reserved %d + spent %d > allocated %d", seed, b.Reserved(), b.Spent(), b.Allocated())
			}
			for _, v := range visits {
				if b.ChargedFor(v) != tally[v] {
					t.Fatalf("seed %d: visit charged %d, tally %d", seed, b.ChargedFor(v), tally[v])
				}
			}
		}
		if refused == 0 || refused == 300 {
			t.Fatalf("seed %d: %d of 300 refused; the sequence exercises nothing", seed, refused)
		}
	}
}
