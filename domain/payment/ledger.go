package payment

import (
	"maps"

	"github.com/google/uuid"
)

// Ledger is the case's side of "a case is never paid twice; a payment never
// exceeds the approved amount": for one case, the approved amount and each
// of its payments with amount and status. At every moment
//
//	Paid() + Outstanding() ≤ Approved()  and  Remaining() ≥ 0
//
// because Instruct refuses any payment that would break it, and a failed
// payment frees its amount for a new one.
//
// A Ledger is a plain value that records no events: the case aggregate
// keeps one in its state and calls the same methods from its apply
// function, for decided and replayed events alike. Methods with a pointer
// receiver change it; each checks before it changes anything, so a failed
// call leaves the ledger as it was. Copying a Ledger shares its payments:
// use Clone for an independent copy. The zero value is a ledger with
// nothing approved. Not safe for concurrent use.
type Ledger struct {
	approved    int64
	paid        int64
	outstanding int64
	payments    map[uuid.UUID]LedgerEntry
}

// LedgerEntry is one payment of a case as its ledger sees it.
type LedgerEntry struct {
	AmountFen int64
	Status    Status
}

// NewLedger returns the ledger of a case approved for approvedFen, with no
// payments. The amount must be 0..MaxFen (a *fault.ValidationError on
// approved_fen otherwise).
func NewLedger(approvedFen int64) (Ledger, error) {
	if approvedFen < 0 || approvedFen > MaxFen {
		return Ledger{}, invalid("approved_fen", "must be 0 to %d fen", int64(MaxFen))
	}
	return Ledger{approved: approvedFen}, nil
}

// Approved returns the approved amount.
func (l *Ledger) Approved() int64 { return l.approved }

// Paid returns the total of confirmed payments.
func (l *Ledger) Paid() int64 { return l.paid }

// Outstanding returns the total of payments instructed and neither
// confirmed nor failed yet.
func (l *Ledger) Outstanding() int64 { return l.outstanding }

// Remaining returns approved − paid − outstanding: the most a new payment
// may be. It is never negative.
func (l *Ledger) Remaining() int64 { return l.approved - l.paid - l.outstanding }

// Entry returns the payment's amount and status, and whether the ledger
// holds it.
func (l *Ledger) Entry(paymentID uuid.UUID) (LedgerEntry, bool) {
	e, ok := l.payments[paymentID]
	return e, ok
}

// Clone returns an independent copy.
func (l *Ledger) Clone() Ledger {
	c := *l
	c.payments = maps.Clone(l.payments)
	return c
}

// Instruct adds paymentID, instructed for amountFen. Errors: a
// *fault.ValidationError on payment_id (nil) or amount_fen (not above 0),
// ErrDuplicatePayment when the ledger holds that id already, and an
// *OverpayError when the amount is above Remaining.
func (l *Ledger) Instruct(paymentID uuid.UUID, amountFen int64) error {
	switch {
	case paymentID == uuid.Nil:
		return invalid("payment_id", "is required")
	case amountFen <= 0:
		return invalid("amount_fen", "must be above 0")
	}
	if _, ok := l.payments[paymentID]; ok {
		return ErrDuplicatePayment
	}
	if rem := l.Remaining(); amountFen > rem {
		return &OverpayError{Remaining: rem, Requested: amountFen}
	}
	if l.payments == nil {
		l.payments = map[uuid.UUID]LedgerEntry{}
	}
	l.payments[paymentID] = LedgerEntry{AmountFen: amountFen, Status: StatusInstructed}
	l.outstanding += amountFen
	return nil
}

// Confirm marks paymentID paid: its amount moves from outstanding to paid.
// Confirming a confirmed payment changes nothing and returns nil. Errors:
// ErrUnknownPayment, ErrFailed.
func (l *Ledger) Confirm(paymentID uuid.UUID) error {
	amount, err := l.settle(paymentID, StatusConfirmed, ErrFailed)
	l.paid += amount
	return err
}

// Fail marks paymentID failed, which frees its amount for a new payment.
// Failing a failed payment changes nothing and returns nil. Errors:
// ErrUnknownPayment, ErrConfirmed.
func (l *Ledger) Fail(paymentID uuid.UUID) error {
	_, err := l.settle(paymentID, StatusFailed, ErrConfirmed)
	return err
}

// settle ends instructed paymentID with status to: its amount is no longer
// outstanding, and settle returns it. A payment that ended with to already
// changes nothing (0, nil); one that ended the other way is the error
// other; an unknown one is ErrUnknownPayment.
func (l *Ledger) settle(paymentID uuid.UUID, to Status, other error) (int64, error) {
	e, ok := l.payments[paymentID]
	switch {
	case !ok:
		return 0, ErrUnknownPayment
	case e.Status == to:
		return 0, nil
	case e.Status != StatusInstructed:
		return 0, other
	}
	l.payments[paymentID] = LedgerEntry{AmountFen: e.AmountFen, Status: to}
	l.outstanding -= e.AmountFen
	return e.AmountFen, nil
}
