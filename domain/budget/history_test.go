package budget

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestLoadBudgetRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id, c, p := uuid.New(), uuid.New(), uuid.New()
	s := Stream(id)
	alloc := `{"budget_id":"` + id.String() + `","unit_id":"` + uuid.NewString() + `","year":2025,"line":"aid","amount_fen":100}`
	reserve := func(fen string) string { return `{"case_id":"` + c.String() + `","amount_fen":` + fen + `}` }
	spend := `{"case_id":"` + c.String() + `","payment_id":"` + p.String() + `","amount_fen":10}`
	aggtest.RefusesHistory(t, s, id, LoadBudget, []aggtest.Broken{
		{Name: "first is not allocated", History: []event.Recorded{rec(s, 1, TypeIncreased, `{"amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "other budget", History: []event.Recorded{rec(s, 1, TypeAllocated, `{"budget_id":"`+uuid.NewString()+`","unit_id":"`+uuid.NewString()+`","year":2025,"line":"aid","amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "bad year", History: []event.Recorded{rec(s, 1, TypeAllocated, `{"budget_id":"`+id.String()+`","unit_id":"`+uuid.NewString()+`","year":1,"line":"aid","amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "not json", History: []event.Recorded{rec(s, 1, TypeAllocated, `{`)}, Want: fault.ErrHistory},
		{Name: "allocated twice", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeAllocated, alloc)}, Want: fault.ErrHistory},
		{Name: "wrong stream", History: []event.Recorded{rec("budget-x", 1, TypeAllocated, alloc)}, Want: fault.ErrHistory},
		{Name: "gap", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 3, TypeIncreased, `{"amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "unknown type", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, "budget.frozen", `{}`)}, Want: fault.ErrHistory},
		{Name: "negative increase", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeIncreased, `{"amount_fen":-1}`)}, Want: fault.ErrHistory},
		{Name: "over-reserve", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReserved, reserve("101"))}, Want: fault.ErrHistory},
		{Name: "zero reserve", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReserved, reserve("0"))}, Want: fault.ErrHistory},
		{Name: "nil case", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReserved, `{"amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "spend unreserved", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeSpent, spend)}, Want: fault.ErrHistory},
		{Name: "release unreserved", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReleased, reserve("1"))}, Want: fault.ErrHistory},
		{Name: "payment spent twice", History: []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReserved, reserve("50")),
			rec(s, 3, TypeSpent, spend), rec(s, 4, TypeSpent, spend)}, Want: fault.ErrHistory},
	})
	if _, err := LoadBudget(id, nil); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("empty history: %v", err)
	}
	var he *fault.HistoryError
	_, err := LoadBudget(id, []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, "x", `{}`)})
	if !errors.As(err, &he) || !errors.Is(err, fault.ErrUnknownEvent) || he.Version != 2 {
		t.Fatalf("unknown event: %v", err)
	}
	ok := []event.Recorded{rec(s, 1, TypeAllocated, alloc), rec(s, 2, TypeReserved, reserve("50")), rec(s, 3, TypeSpent, spend),
		rec(s, 4, TypeReleased, `{"case_id":"`+c.String()+`","amount_fen":40,"reason":"closed","later_field":1}`)}
	b, err := LoadBudget(id, ok)
	if err != nil || b.Version() != 4 || b.Spent() != 10 || b.Reserved() != 0 || b.Available() != 90 || b.Changes() != nil {
		t.Fatalf("load: %v %+v", err, b)
	}
}

func TestChangesAreCopies(t *testing.T) {
	t.Parallel()
	b, err := Allocate(uuid.New(), uuid.New(), 2025, "aid", 10)
	if err != nil {
		t.Fatal(err)
	}
	ch := b.Changes()
	ch[0].Type = "mutated"
	if b.Changes()[0].Type != TypeAllocated || b.Changes()[0].ID.Version() != 7 {
		t.Fatal("Changes exposes the aggregate's slice")
	}
	if len(EventTypes()) != 7 {
		t.Fatal(EventTypes())
	}
}
