package budget

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/internal/aggtest"
)

// history plays the event store and the command layer for one budget:
// commit appends the budget's changes at its expected version after
// checking that replaying the stream rebuilds exactly the state the
// behaviour methods left; load rebuilds a fresh budget.
type history struct {
	t      testing.TB
	id     uuid.UUID
	events []event.Recorded
	last   *Budget // the budget rebuilt by the last commit
}

func (h *history) commit(b *Budget) {
	h.t.Helper()
	load := func(events []event.Recorded) (*Budget, error) { return LoadBudget(h.id, events) }
	h.events, h.last = aggtest.Commit(h.t, h.events, b, load, func(b *Budget) any { return b.s })
}

func (h *history) load() *Budget {
	h.t.Helper()
	b, err := LoadBudget(h.id, h.events)
	if err != nil {
		h.t.Fatalf("load: %v", err)
	}
	return b
}

// newBudget allocates and commits a budget of fen.
func newBudget(t testing.TB, fen int64) *history {
	t.Helper()
	id := uuid.New()
	b, err := Allocate(id, uuid.New(), 2025, "aid.medical", fen)
	if err != nil {
		t.Fatal(err)
	}
	h := &history{t: t, id: id}
	h.commit(b)
	return h
}

// do loads the budget, runs one decision and commits what it recorded,
// returning the decision's error.
func (h *history) do(decide func(b *Budget) error) error {
	h.t.Helper()
	b := h.load()
	err := decide(b)
	if err != nil && len(b.Changes()) > 0 {
		h.t.Fatalf("failed decision recorded %d events", len(b.Changes()))
	}
	h.commit(b)
	return err
}
