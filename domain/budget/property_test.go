package budget

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// model is the budget's arithmetic written out independently.
type model struct {
	allocated       int64
	reserved, spent map[uuid.UUID]int64
	payments        map[uuid.UUID]bool
}

// TestPropertyReservedPlusSpentNeverExceedsAllocated runs random sequences
// of increases, reservations, spendings and releases, valid and not, each
// step loading the budget from its stream, deciding and committing (which
// checks that replay rebuilds the same state), then checks the invariant,
// the per-case figures and the totals against an independent model.
func TestPropertyReservedPlusSpentNeverExceedsAllocated(t *testing.T) {
	t.Parallel()
	const budgetsPerSeed, stepsPerBudget = 20, 120 // 5 seeds × 2,400 steps
	for _, seed := range []uint64{1, 2, 3, 20260101, rand.Uint64()} {
		t.Logf("seed %d", seed)
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		var done, refused [4]int
		for range budgetsPerSeed {
			runBudget(t, seed, r, stepsPerBudget, &done, &refused)
		}
		// The sequences must exercise every decision both ways.
		for op := range done {
			if done[op] < 20 || refused[op] < 20 {
				t.Fatalf("seed %d: operation %d done %d times, refused %d times", seed, op, done[op], refused[op])
			}
		}
	}
}

func runBudget(t *testing.T, seed uint64, r *rand.Rand, steps int, done, refused *[4]int) {
	alloc := 1 + r.Int64N(100_000)
	h := newBudget(t, alloc)
	m := model{allocated: alloc, reserved: map[uuid.UUID]int64{}, spent: map[uuid.UUID]int64{}, payments: map[uuid.UUID]bool{}}
	cases := []uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.Nil}
	var paid []uuid.UUID
	amount := func() int64 {
		switch r.IntN(10) {
		case 0:
			return -r.Int64N(1000) // zero or negative: invalid
		case 1:
			return alloc + r.Int64N(alloc+1) // usually too much
		default:
			return 1 + r.Int64N(alloc/4+1)
		}
	}
	for step := range steps {
		c, fen := cases[r.IntN(len(cases))], amount()
		var err error
		op := r.IntN(4)
		switch op {
		case 0:
			err = h.do(func(b *Budget) error { return b.Increase(fen, "top-up") })
			if err == nil {
				m.allocated += fen
			}
		case 1:
			err = h.do(func(b *Budget) error { return b.Reserve(c, fen) })
			if err == nil {
				m.reserved[c] += fen
			} else if c != uuid.Nil && fen > 0 && !errors.Is(err, ErrExceeded) {
				t.Fatalf("seed %d step %d: reserve: %v", seed, step, err)
			}
		case 2:
			p := uuid.New()
			if len(paid) > 0 && r.IntN(5) == 0 {
				p = paid[r.IntN(len(paid))] // a payment spent before: no-op or refused
			}
			again := m.payments[p]
			err = h.do(func(b *Budget) error { return b.Spend(c, p, fen) })
			if err == nil && !again {
				m.reserved[c] -= fen
				m.spent[c] += fen
				m.payments[p] = true
				paid = append(paid, p)
			}
		case 3:
			err = h.do(func(b *Budget) error { return b.Release(c, fen, "case closed") })
			if err == nil {
				m.reserved[c] -= fen
			}
		}
		if err != nil && !errors.Is(err, fault.ErrInvalid) && !errors.Is(err, fault.ErrInvalidState) && !errors.Is(err, ErrExceeded) {
			t.Fatalf("seed %d step %d: unexpected error %v", seed, step, err)
		}
		if err == nil {
			done[op]++
		} else {
			refused[op]++
		}
		checkBudget(t, seed, step, h.last, m)
	}
}

func checkBudget(t *testing.T, seed uint64, step int, b *Budget, m model) {
	t.Helper()
	fail := func(what string) { t.Fatalf("seed %d step %d: %s; state %+v", seed, step, what, b.s) }
	if b.Reserved()+b.Spent() > b.Allocated() || b.Available() < 0 {
		fail("reserved + spent > allocated")
	}
	if b.Allocated() != m.allocated {
		fail("allocated differs from the model")
	}
	var reserved, spent int64
	for c, fen := range b.s.reservedFor {
		if fen <= 0 || m.reserved[c] != fen || b.ReservedFor(c) != fen {
			fail("per-case reservation")
		}
		reserved += fen
	}
	for c, fen := range b.s.spentFor {
		if fen <= 0 || m.spent[c] != fen || b.SpentFor(c) != fen {
			fail("per-case spending")
		}
		spent += fen
	}
	for c, fen := range m.reserved {
		if fen < 0 || b.ReservedFor(c) != fen {
			fail("model reservation missing")
		}
	}
	if reserved != b.Reserved() || spent != b.Spent() {
		fail("totals are not the sums of the per-case figures")
	}
}
