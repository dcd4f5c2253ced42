package payment

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/internal/aggtest"
)

// stream plays the event store for one payment: commit appends the
// payment's changes at its expected version after checking that replaying
// rebuilds exactly the state the behaviour methods left.
type stream struct {
	t      *testing.T
	id     uuid.UUID
	events []event.Recorded
}

func (s *stream) commit(p *Payment) {
	s.t.Helper()
	load := func(events []event.Recorded) (*Payment, error) { return LoadPayment(s.id, events) }
	s.events, _ = aggtest.Commit(s.t, s.events, p, load, func(p *Payment) any { return p.s })
}

func (s *stream) load() *Payment {
	s.t.Helper()
	p, err := LoadPayment(s.id, s.events)
	if err != nil {
		s.t.Fatalf("load: %v", err)
	}
	return p
}

func instruction() Instruction {
	return Instruction{CaseID: uuid.New(), EmployeeID: uuid.New(), BudgetID: uuid.New(), AmountFen: 600_000, BankAccount: "sealed:v1:abc"}
}

// newPayment instructs and commits a payment.
func newPayment(t *testing.T) *stream {
	t.Helper()
	id := uuid.New()
	p, err := Instruct(id, instruction())
	if err != nil {
		t.Fatal(err)
	}
	s := &stream{t: t, id: id}
	s.commit(p)
	return s
}

// do loads the payment, runs one decision and commits what it recorded.
func (s *stream) do(decide func(p *Payment) error) (recorded int, err error) {
	s.t.Helper()
	p := s.load()
	err = decide(p)
	if err != nil && len(p.Changes()) > 0 {
		s.t.Fatal("a failed decision recorded events")
	}
	s.commit(p)
	return len(p.Changes()), err
}
