package budget

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestAllocate(t *testing.T) {
	t.Parallel()
	id, unit := uuid.New(), uuid.New()
	tests := []struct {
		name  string
		id    uuid.UUID
		unit  uuid.UUID
		year  int
		line  string
		fen   int64
		field string
	}{
		{"ok", id, unit, 2025, "aid.medical", 100, ""},
		{"ok bounds", id, unit, 2100, strings.Repeat("a", 64), MaxFen, ""},
		{"ok low year", id, unit, 2000, "x-1_2", 1, ""},
		{"no id", uuid.Nil, unit, 2025, "aid", 1, "id"},
		{"no unit", id, uuid.Nil, 2025, "aid", 1, "unit_id"},
		{"year low", id, unit, 1999, "aid", 1, "year"},
		{"year high", id, unit, 2101, "aid", 1, "year"},
		{"empty line", id, unit, 2025, "", 1, "line"},
		{"long line", id, unit, 2025, strings.Repeat("a", 65), 1, "line"},
		{"upper line", id, unit, 2025, "Aid", 1, "line"},
		{"space line", id, unit, 2025, "aid medical", 1, "line"},
		{"zero", id, unit, 2025, "aid", 0, "amount_fen"},
		{"negative", id, unit, 2025, "aid", -5, "amount_fen"},
		{"too much", id, unit, 2025, "aid", MaxFen + 1, "amount_fen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Allocate(tt.id, tt.unit, tt.year, tt.line, tt.fen)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.ID() != tt.id || b.UnitID() != tt.unit || b.Year() != tt.year || b.Line() != tt.line ||
				b.Allocated() != tt.fen || b.Available() != tt.fen || b.Reserved() != 0 || b.Spent() != 0 ||
				b.Version() != 0 || len(b.Changes()) != 1 || b.Changes()[0].Type != TypeAllocated {
				t.Fatalf("budget %+v", b.s)
			}
			if b.Stream() != "budget-"+tt.id.String() {
				t.Fatal(b.Stream())
			}
		})
	}
}

func TestIncrease(t *testing.T) {
	t.Parallel()
	h := newBudget(t, 1000)
	if err := h.do(func(b *Budget) error { return b.Increase(500, "  mid-year top-up ") }); err != nil {
		t.Fatal(err)
	}
	if b := h.load(); b.Allocated() != 1500 || b.Available() != 1500 || b.Version() != 2 {
		t.Fatalf("after increase %+v", b.s)
	}
	for _, tt := range []struct {
		fen    int64
		reason string
		field  string
	}{
		{0, "r", "amount_fen"},
		{-1, "r", "amount_fen"},
		{MaxFen - 1000, "r", "amount_fen"}, // total would pass MaxFen
		{1, " ", "reason"},
		{1, strings.Repeat("x", MaxReasonRunes+1), "reason"},
		{1, "bad\x00", "reason"},
		{1, "\xff", "reason"},
	} {
		aggtest.WantField(t, h.do(func(b *Budget) error { return b.Increase(tt.fen, tt.reason) }), tt.field)
	}
}

func TestReserveSpendRelease(t *testing.T) {
	t.Parallel()
	h := newBudget(t, 10_000)
	c1, c2, p1, p2 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	steps := []struct {
		name   string
		decide func(b *Budget) error
		check  func(err error)
	}{
		{"reserve c1", func(b *Budget) error { return b.Reserve(c1, 4000) }, nil},
		{"reserve c1 again adds", func(b *Budget) error { return b.Reserve(c1, 1000) }, nil},
		{"reserve c2", func(b *Budget) error { return b.Reserve(c2, 3000) }, nil},
		{"exceed", func(b *Budget) error { return b.Reserve(c2, 2001) }, func(err error) {
			var ee *ExceededError
			if !errors.Is(err, ErrExceeded) || !errors.As(err, &ee) || ee.Available != 2000 || ee.Requested != 2001 ||
				errors.Is(err, fault.ErrInvalidState) {
				t.Fatalf("exceed: %v", err)
			}
		}},
		{"spend c1", func(b *Budget) error { return b.Spend(c1, p1, 4500) }, nil},
		{"spend again is a no-op", func(b *Budget) error { return b.Spend(c1, p1, 4500) }, nil},
		{"spend same payment other amount", func(b *Budget) error { return b.Spend(c1, p1, 400) }, func(err error) {
			if !errors.Is(err, ErrPaymentSpent) || !errors.Is(err, fault.ErrInvalidState) {
				t.Fatalf("respend: %v", err)
			}
		}},
		{"spend beyond reservation", func(b *Budget) error { return b.Spend(c1, p2, 501) }, func(err error) {
			var re *ReservationError
			if !errors.Is(err, ErrNotReserved) || !errors.Is(err, fault.ErrInvalidState) || !errors.As(err, &re) ||
				re.Case != c1 || re.Reserved != 500 || re.Requested != 501 {
				t.Fatalf("overspend: %v", err)
			}
		}},
		{"release beyond reservation", func(b *Budget) error { return b.Release(c2, 3001, "withdrawn") }, func(err error) {
			if !errors.Is(err, ErrNotReserved) {
				t.Fatalf("overrelease: %v", err)
			}
		}},
		{"release unknown case", func(b *Budget) error { return b.Release(uuid.New(), 1, "withdrawn") }, func(err error) {
			if !errors.Is(err, ErrNotReserved) {
				t.Fatalf("release unknown: %v", err)
			}
		}},
		{"release c1 rest", func(b *Budget) error { return b.Release(c1, 500, "case closed") }, nil},
		{"release c2 part", func(b *Budget) error { return b.Release(c2, 1000, "payment failed") }, nil},
		{"no reason", func(b *Budget) error { return b.Release(c2, 1, "") }, func(err error) { aggtest.WantField(t, err, "reason") }},
		{"nil case", func(b *Budget) error { return b.Reserve(uuid.Nil, 1) }, func(err error) { aggtest.WantField(t, err, "case_id") }},
		{"nil case spend", func(b *Budget) error { return b.Spend(uuid.Nil, p2, 1) }, func(err error) { aggtest.WantField(t, err, "case_id") }},
		{"nil payment", func(b *Budget) error { return b.Spend(c2, uuid.Nil, 1) }, func(err error) { aggtest.WantField(t, err, "payment_id") }},
		{"zero reserve", func(b *Budget) error { return b.Reserve(c2, 0) }, func(err error) { aggtest.WantField(t, err, "amount_fen") }},
		{"zero spend", func(b *Budget) error { return b.Spend(c2, p2, 0) }, func(err error) { aggtest.WantField(t, err, "amount_fen") }},
		{"negative release", func(b *Budget) error { return b.Release(c2, -1, "r") }, func(err error) { aggtest.WantField(t, err, "amount_fen") }},
	}
	for _, st := range steps {
		err := h.do(st.decide)
		if st.check == nil && err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.check != nil {
			if err == nil {
				t.Fatalf("%s: no error", st.name)
			}
			st.check(err)
		}
	}
	b := h.load()
	if b.Allocated() != 10_000 || b.Reserved() != 2000 || b.Spent() != 4500 || b.Available() != 3500 ||
		b.ReservedFor(c1) != 0 || b.SpentFor(c1) != 4500 || b.ReservedFor(c2) != 2000 || b.SpentFor(c2) != 0 ||
		b.ReservedFor(uuid.New()) != 0 || b.Version() != 7 {
		t.Fatalf("final %+v version %d", b.s, b.Version())
	}
}

// A spend appended without loading the budget replays like one decided on
// it, and replay still refuses one its reservation does not cover.
func TestSpendUnread(t *testing.T) {
	t.Parallel()
	b, err := Allocate(uuid.New(), uuid.New(), 2026, "aid.medical", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	caseID := uuid.New()
	if err := b.Reserve(caseID, 400_000); err != nil {
		t.Fatal(err)
	}
	history := recordedOf(b.Stream(), b.Changes())
	spent, err := SpendUnread(caseID, uuid.New(), 400_000)
	if err != nil {
		t.Fatal(err)
	}
	ok := append(history, recordedOf(b.Stream(), []event.Event{spent})[0])
	ok[len(ok)-1].Version = int64(len(ok))
	got, err := LoadBudget(b.ID(), ok)
	if err != nil || got.Spent() != 400_000 || got.Reserved() != 0 {
		t.Fatalf("replayed: %v, spent %d reserved %d", err, got.Spent(), got.Reserved())
	}
	over, _ := SpendUnread(caseID, uuid.New(), 500_000)
	bad := append(history, recordedOf(b.Stream(), []event.Event{over})[0])
	bad[len(bad)-1].Version = int64(len(bad))
	if _, err := LoadBudget(b.ID(), bad); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("a spend beyond its reservation replayed: %v", err)
	}
	if _, err := SpendUnread(uuid.Nil, uuid.New(), 1); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("no case: %v", err)
	}
}

func recordedOf(stream string, events []event.Event) []event.Recorded {
	out := make([]event.Recorded, len(events))
	for i, e := range events {
		out[i] = event.Recorded{ID: e.ID, Stream: stream, Version: int64(i + 1), Type: e.Type, Data: e.Data}
	}
	return out
}

// A budget continued from a part of its stream equals one loaded whole,
// and continuing leaves the original unchanged.
func TestContinueEqualsLoad(t *testing.T) {
	t.Parallel()
	b, err := Allocate(uuid.New(), uuid.New(), 2026, "aid.medical", 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	cases := []uuid.UUID{uuid.New(), uuid.New()}
	for _, c := range cases {
		if err := b.Reserve(c, 300_000); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Spend(cases[0], uuid.New(), 300_000); err != nil {
		t.Fatal(err)
	}
	history := recordedOf(b.Stream(), b.Changes())
	whole, err := LoadBudget(b.ID(), history)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 1; cut < len(history); cut++ {
		part, err := LoadBudget(b.ID(), history[:cut])
		if err != nil {
			t.Fatal(err)
		}
		before := part.Reserved()
		got, err := part.Continue(history[cut:])
		if err != nil {
			t.Fatalf("continue from %d: %v", cut, err)
		}
		if got.Version() != whole.Version() || got.Reserved() != whole.Reserved() || got.Spent() != whole.Spent() ||
			got.ReservedFor(cases[1]) != whole.ReservedFor(cases[1]) || got.Available() != whole.Available() {
			t.Fatalf("continued from %d: %+v, loaded whole: %+v", cut, got, whole)
		}
		if part.Reserved() != before {
			t.Fatal("Continue changed the budget it continued")
		}
	}
	if _, err := whole.Continue(history[1:2]); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("continuing with an event that does not follow: %v", err)
	}
}
