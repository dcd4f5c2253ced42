package budget

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of a budget's stream. They are stored; never rename them.
const (
	TypeAllocated = "budget.allocated"
	TypeIncreased = "budget.increased"
	TypeReserved  = "budget.reserved"
	TypeReleased  = "budget.released"
	TypeSpent     = "budget.spent"
)

// EventTypes lists every event type a budget stream may hold.
func EventTypes() []string {
	return []string{TypeAllocated, TypeIncreased, TypeReserved, TypeReleased, TypeSpent, TypeCharged, TypeRefunded}
}

// Allocated is the payload of budget.allocated, the first event of a
// budget stream.
type Allocated struct {
	BudgetID  uuid.UUID `json:"budget_id"`
	UnitID    uuid.UUID `json:"unit_id"`
	Year      int       `json:"year"`
	Line      string    `json:"line"`
	AmountFen int64     `json:"amount_fen"`
}

// Increased is the payload of budget.increased: AmountFen more allocated.
type Increased struct {
	AmountFen int64  `json:"amount_fen"`
	Reason    string `json:"reason"`
}

// Reserved is the payload of budget.reserved: AmountFen set aside for the
// case on its final approval, added to any reservation it already holds.
type Reserved struct {
	CaseID    uuid.UUID `json:"case_id"`
	AmountFen int64     `json:"amount_fen"`
}

// Released is the payload of budget.released: AmountFen of the case's
// reservation returned to what is available.
type Released struct {
	CaseID    uuid.UUID `json:"case_id"`
	AmountFen int64     `json:"amount_fen"`
	Reason    string    `json:"reason"`
}

// Spent is the payload of budget.spent: the bank confirmed the payment, and
// AmountFen moved from the case's reservation to spent.
type Spent struct {
	CaseID    uuid.UUID `json:"case_id"`
	PaymentID uuid.UUID `json:"payment_id"`
	AmountFen int64     `json:"amount_fen"`
}

// LoadBudget rebuilds budget id from its whole stream, in order from
// version 1. An empty history is event.ErrNotFound; an event it cannot
// apply, of an unknown type included, is a *fault.HistoryError (fault.ErrHistory).
// Replaying checks what the money needs (positive amounts, reservations
// covering what is spent or released, reserved + spent ≤ allocated), so a
// budget rebuilt from any history still holds the package's invariant.
func LoadBudget(id uuid.UUID, history []event.Recorded) (*Budget, error) {
	b := &Budget{id: id, Root: agg.OpenedBy(TypeAllocated)}
	return agg.Load(b, Stream(id), history, b.apply)
}

func positive(fen int64) error {
	if fen <= 0 || fen > MaxFen {
		return fmt.Errorf("amount_fen %d is not 1 to %d", fen, int64(MaxFen))
	}
	return nil
}

// apply changes the state by one event. It is the only code that writes
// the state, for recorded and replayed events alike, and it changes nothing
// when it fails.
func (b *Budget) apply(typ string, data json.RawMessage) error {
	s := &b.s
	switch typ {
	case TypeAllocated:
		return agg.On(data, func(p Allocated) error {
			if p.BudgetID != b.id || p.UnitID == uuid.Nil {
				return errors.New("budget_id is not the stream's budget, or unit_id is nil")
			}
			if err := errors.Join(checkYear(p.Year), checkLine(p.Line), positive(p.AmountFen)); err != nil {
				return err
			}
			*s = state{unit: p.UnitID, year: p.Year, line: p.Line, allocated: p.AmountFen,
				reservedFor: map[uuid.UUID]int64{}, spentFor: map[uuid.UUID]int64{}, payments: map[uuid.UUID]spending{}}
			return nil
		})
	case TypeIncreased:
		return agg.On(data, func(p Increased) error {
			if err := positive(p.AmountFen); err != nil {
				return err
			}
			if p.AmountFen > MaxFen-s.allocated {
				return fmt.Errorf("allocation would pass %d fen", int64(MaxFen))
			}
			s.allocated += p.AmountFen
			return nil
		})
	case TypeReserved:
		return agg.On(data, func(p Reserved) error {
			if err := errors.Join(nonNil("case_id", p.CaseID), positive(p.AmountFen)); err != nil {
				return err
			}
			if p.AmountFen > s.allocated-s.reserved-s.spent {
				return fmt.Errorf("reserving %d fen would exceed the allocation", p.AmountFen)
			}
			s.reserved += p.AmountFen
			s.reservedFor[p.CaseID] += p.AmountFen
			return nil
		})
	case TypeReleased:
		return agg.On(data, func(p Released) error {
			if err := errors.Join(nonNil("case_id", p.CaseID), positive(p.AmountFen)); err != nil {
				return err
			}
			if p.AmountFen > s.reservedFor[p.CaseID] {
				return fmt.Errorf("releasing %d fen, case %s holds %d", p.AmountFen, p.CaseID, s.reservedFor[p.CaseID])
			}
			s.reserved -= p.AmountFen
			s.takeReservation(p.CaseID, p.AmountFen)
			return nil
		})
	case TypeSpent:
		return agg.On(data, func(p Spent) error {
			if err := errors.Join(nonNil("case_id", p.CaseID), nonNil("payment_id", p.PaymentID), positive(p.AmountFen)); err != nil {
				return err
			}
			if _, done := s.payments[p.PaymentID]; done {
				return fmt.Errorf("payment %s spent twice", p.PaymentID)
			}
			if p.AmountFen > s.reservedFor[p.CaseID] {
				return fmt.Errorf("spending %d fen, case %s holds %d", p.AmountFen, p.CaseID, s.reservedFor[p.CaseID])
			}
			s.reserved -= p.AmountFen
			s.takeReservation(p.CaseID, p.AmountFen)
			s.spent += p.AmountFen
			s.spentFor[p.CaseID] += p.AmountFen
			s.payments[p.PaymentID] = spending{caseID: p.CaseID, amount: p.AmountFen}
			return nil
		})
	case TypeCharged, TypeRefunded:
		return s.applyCharge(typ, data)
	default:
		return agg.Unknown(typ)
	}
}

// takeReservation lowers a case's reservation, dropping the entry at zero
// so that a budget rebuilt from history equals the one that decided.
func (s *state) takeReservation(caseID uuid.UUID, fen int64) {
	if s.reservedFor[caseID] -= fen; s.reservedFor[caseID] == 0 {
		delete(s.reservedFor, caseID)
	}
}

func nonNil(field string, id uuid.UUID) error {
	if id == uuid.Nil {
		return fmt.Errorf("%s is nil", field)
	}
	return nil
}

// Continue returns the budget as it is after more, the events of its stream
// that follow its version, in order; b itself is unchanged. A reader that
// keeps a budget in memory reads only what is new instead of the whole
// stream, which grows with every case of the year. b must have no pending
// changes. Replaying checks every event as LoadBudget does.
func (b *Budget) Continue(more []event.Recorded) (*Budget, error) {
	if len(b.Changes()) > 0 {
		return nil, errors.New("budget: continue a budget with unsaved changes")
	}
	next := &Budget{Root: b.Root, id: b.id, s: b.s.clone()}
	if err := agg.Continue(&next.Root, Stream(b.id), more, next.apply); err != nil {
		return nil, err
	}
	return next, nil
}

func (s state) clone() state {
	s.reservedFor = maps.Clone(s.reservedFor)
	s.spentFor = maps.Clone(s.spentFor)
	s.payments = maps.Clone(s.payments)
	s.chargedFor = maps.Clone(s.chargedFor)
	return s
}

// SpendingStream holds a budget's spends (budget.spent, one per confirmed
// payment) apart from the budget's own stream. A spend moves money from a
// case's reservation to spent and never changes reserved + spent, so it
// needs no check against the allocation and no place in the stream every
// approval must read and write: confirmations append here without
// touching the budget. A budget's figures are its own stream's (reserved
// there still counts the money since spent) less what this stream spent.
func SpendingStream(id uuid.UUID) string { return "budget-spending-" + id.String() }

// ParseSpendingStream returns the budget whose spending stream is stream,
// or an error.
func ParseSpendingStream(stream string) (uuid.UUID, error) {
	return event.StreamID(stream, "budget-spending-")
}

// Spending sums a spending stream: the total and, per case, what was spent.
func Spending(history []event.Recorded) (total int64, perCase map[uuid.UUID]int64, err error) {
	perCase = map[uuid.UUID]int64{}
	for _, rec := range history {
		fail := func(err error) (int64, map[uuid.UUID]int64, error) {
			return 0, nil, &fault.HistoryError{Stream: rec.Stream, Version: rec.Version, Type: rec.Type, Err: err}
		}
		if rec.Type != TypeSpent {
			return fail(fault.ErrUnknownEvent)
		}
		var p Spent
		if err := agg.Decode(rec.Data, &p); err != nil {
			return fail(err)
		}
		if err := positive(p.AmountFen); err != nil {
			return fail(err)
		}
		total += p.AmountFen
		perCase[p.CaseID] += p.AmountFen
	}
	return total, perCase, nil
}
