package payment

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *fault.ValidationError
	if !errors.Is(err, fault.ErrInvalid) || !errors.As(err, &ve) || ve.Field != field {
		t.Fatalf("error %v, want a *fault.ValidationError on %s", err, field)
	}
}

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
	if int64(len(s.events)) != p.Version() {
		s.t.Fatalf("expected version %d, stream at %d", p.Version(), len(s.events))
	}
	for _, e := range p.Changes() {
		s.events = append(s.events, event.Recorded{ID: e.ID, Stream: p.Stream(), Version: int64(len(s.events) + 1),
			Type: e.Type, Data: e.Data})
	}
	if got := s.load(); !reflect.DeepEqual(got.s, p.s) {
		s.t.Fatalf("round trip:\n got %+v\nwant %+v", got.s, p.s)
	}
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
