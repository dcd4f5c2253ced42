package payment

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of a payment's stream. They are stored; never rename them.
const (
	TypeInstructed = "payment.instructed"
	TypeConfirmed  = "payment.confirmed"
	TypeFailed     = "payment.failed"
)

// EventTypes lists every event type a payment stream may hold.
func EventTypes() []string { return []string{TypeInstructed, TypeConfirmed, TypeFailed} }

// Instructed is the payload of payment.instructed, the first event of a
// payment stream.
type Instructed struct {
	PaymentID   uuid.UUID `json:"payment_id"`
	CaseID      uuid.UUID `json:"case_id"`
	EmployeeID  uuid.UUID `json:"employee_id"`
	BudgetID    uuid.UUID `json:"budget_id"`
	AmountFen   int64     `json:"amount_fen"`
	BankAccount Sealed    `json:"bank_account"`
}

// Confirmed is the payload of payment.confirmed. ConfirmedAt is the bank's
// date, YYYY-MM-DD, not a time of day.
type Confirmed struct {
	BankRef     string `json:"bank_ref"`
	ConfirmedAt string `json:"confirmed_at"`
}

// Failed is the payload of payment.failed.
type Failed struct {
	Reason string `json:"reason"`
}

// LoadPayment rebuilds payment id from its whole stream, in order from
// version 1. An empty history is event.ErrNotFound; an event it cannot
// apply, of an unknown type included, is a *fault.HistoryError (fault.ErrHistory).
// Replaying checks the structure the state needs (ids, a positive amount,
// one outcome at most), not today's format rules: history is fact.
func LoadPayment(id uuid.UUID, history []event.Recorded) (*Payment, error) {
	p := &Payment{id: id, Root: agg.OpenedBy(TypeInstructed)}
	return agg.Load(p, Stream(id), history, p.apply)
}

// apply changes the state by one event. It is the only code that writes
// the state, for recorded and replayed events alike, and it changes nothing
// when it fails.
func (p *Payment) apply(typ string, data json.RawMessage) error {
	s := &p.s
	switch typ {
	case TypeInstructed:
		return agg.On(data, func(e Instructed) error {
			switch {
			case e.PaymentID != p.id:
				return errors.New("payment_id is not the stream's payment")
			case e.CaseID == uuid.Nil || e.EmployeeID == uuid.Nil || e.BudgetID == uuid.Nil:
				return errors.New("case_id, employee_id or budget_id is nil")
			case e.AmountFen <= 0 || e.AmountFen > MaxFen:
				return fmt.Errorf("amount_fen %d is not 1 to %d", e.AmountFen, int64(MaxFen))
			}
			*s = state{status: StatusInstructed, instruction: Instruction{CaseID: e.CaseID, EmployeeID: e.EmployeeID,
				BudgetID: e.BudgetID, AmountFen: e.AmountFen, BankAccount: e.BankAccount}}
			return nil
		})
	case TypeConfirmed:
		return agg.On(data, func(e Confirmed) error {
			if s.status != StatusInstructed {
				return fmt.Errorf("a %s payment cannot be confirmed", s.status)
			}
			if e.BankRef == "" {
				return errors.New("bank_ref is empty")
			}
			s.status, s.bankRef, s.confirmedOn = StatusConfirmed, e.BankRef, e.ConfirmedAt
			return nil
		})
	case TypeFailed:
		return agg.On(data, func(e Failed) error {
			if s.status != StatusInstructed {
				return fmt.Errorf("a %s payment cannot fail", s.status)
			}
			s.status, s.failReason = StatusFailed, e.Reason
			return nil
		})
	default:
		return agg.Unknown(typ)
	}
}
