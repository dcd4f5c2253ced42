package casework

import (
	"github.com/google/uuid"

	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
)

// The case keeps its own payment ledger: the approved amount, each
// instructed payment until the bank confirms or fails it, and the confirmed
// total. Paid plus outstanding never exceeds approved (invariant 1), so a
// case is never paid twice however payments are retried.

// InstructPayment records case.payment_instructed: amountFen goes to the
// bank under paymentID. Errors: ErrAlreadyPaid (an *OverpayError) when the
// case is paid or nothing remains to instruct; fault.ErrInvalidState unless
// approved or when paymentID was used before on this case;
// *fault.ValidationError for a nil id or an amount below 1 fen; *OverpayError
// matching ErrOverpay when paid + outstanding + amountFen would exceed the
// approved amount.
func (c *Case) InstructPayment(paymentID uuid.UUID, amountFen int64) error {
	outstanding := c.OutstandingFen()
	over := &OverpayError{ApprovedFen: c.s.approved, PaidFen: c.s.paid, OutstandingFen: outstanding, RequestedFen: amountFen}
	switch {
	case c.s.status == StatusPaid:
		return over
	case !c.in(StatusApproved):
		return c.notAllowed("instruct a payment")
	case paymentID == uuid.Nil:
		return invalid("payment_id", "is required")
	case c.s.settled[paymentID] || c.s.pending[paymentID] != 0:
		return stateErr(fault.ErrInvalidState, "payment %s was instructed before", paymentID)
	case amountFen < 1:
		return invalid("amount_fen", "must be 1 fen or more")
	case amountFen > over.RemainingFen():
		return over
	}
	return agg.Record(&c.Root, c.apply, TypeCasePaymentInstructed, CasePaymentInstructed{PaymentID: paymentID, AmountFen: amountFen})
}

// ConfirmPayment records case.payment_confirmed for an outstanding
// payment, and case.paid when confirmed payments reach the approved
// amount. ErrInconsistent if paymentID is not outstanding on this case
// (unknown, or confirmed or failed already).
func (c *Case) ConfirmPayment(paymentID uuid.UUID) error {
	amount, ok := c.s.pending[paymentID]
	if !ok {
		return stateErr(ErrInconsistent, "payment %s is not outstanding on case %s", paymentID, c.id)
	}
	if err := agg.Record(&c.Root, c.apply, TypeCasePaymentConfirmed, CasePaymentConfirmed{PaymentID: paymentID, AmountFen: amount}); err != nil {
		return err
	}
	if c.s.paid == c.s.approved {
		return agg.Record(&c.Root, c.apply, TypeCasePaid, CasePaid{TotalFen: c.s.paid})
	}
	return nil
}

// FailPayment records case.payment_failed for an outstanding payment,
// freeing its amount to be instructed again under a new id. A reason is
// required. ErrInconsistent if paymentID is not outstanding on this case.
func (c *Case) FailPayment(paymentID uuid.UUID, reason string) error {
	amount, ok := c.s.pending[paymentID]
	if !ok {
		return stateErr(ErrInconsistent, "payment %s is not outstanding on case %s", paymentID, c.id)
	}
	reason, err := cleanReason(reason, true)
	if err != nil {
		return err
	}
	return agg.Record(&c.Root, c.apply, TypeCasePaymentFailed, CasePaymentFailed{PaymentID: paymentID, AmountFen: amount, Reason: reason})
}
