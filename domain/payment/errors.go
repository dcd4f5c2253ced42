package payment

import (
	"errors"
	"fmt"

	"aidtrail/domain/fault"
)

// Errors of the payment package. Match them with errors.Is and errors.As,
// never with a type assertion: callers wrap them. The HTTP layer maps
// fault.ErrInvalid to 400 validation, ErrOverpay to 409 already_paid,
// fault.ErrInvalidState to 409 invalid_state, ErrUnknownPayment to 404 not_found
// and fault.ErrHistory to 500.
var (
	// ErrConfirmed: the payment is confirmed already; it cannot fail, nor be
	// confirmed under another bank reference.
	ErrConfirmed = fault.State("payment is confirmed")

	// ErrFailed: the payment has failed; it cannot be confirmed.
	ErrFailed = fault.State("payment has failed")

	// ErrDuplicatePayment: a ledger already holds a payment with that id.
	ErrDuplicatePayment = fault.State("payment already in the ledger")

	// ErrUnknownPayment: a ledger holds no payment with that id.
	ErrUnknownPayment = errors.New("payment not in the ledger")

	// ErrOverpay: the payment would take what the case has paid or has on
	// its way above the approved amount. Carried by an *OverpayError.
	ErrOverpay = errors.New("payment exceeds what is left of the approved amount")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

// OverpayError: Requested fen cannot be instructed because only Remaining
// fen of the approved amount are neither paid nor on their way. Remaining
// 0 means the case is fully paid or fully instructed (the API answers
// already_paid). It matches ErrOverpay.
type OverpayError struct {
	Remaining int64
	Requested int64
}

func (e *OverpayError) Error() string {
	return fmt.Sprintf("payment of %d fen exceeds the %d fen left of the approved amount", e.Requested, e.Remaining)
}

// Is makes errors.Is(err, ErrOverpay) true.
func (e *OverpayError) Is(target error) bool { return target == ErrOverpay }
