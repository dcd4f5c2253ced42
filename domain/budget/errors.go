package budget

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the budget package. Match them with errors.Is and errors.As,
// never with a type assertion: callers wrap them. The HTTP layer maps
// fault.ErrInvalid to 400 validation, ErrExceeded to 409 budget_exceeded,
// fault.ErrInvalidState to 409 invalid_state and fault.ErrHistory to 500.
var (
	// ErrNotReserved: a case's reservation does not cover the amount to
	// spend or release. Carried by a *ReservationError.
	ErrNotReserved = fault.State("the case's reservation does not cover the amount")

	// ErrPaymentSpent: the payment was already spent from this budget with a
	// different case or amount; the same payment, case and amount again is
	// a no-op instead.
	ErrPaymentSpent = fault.State("payment already spent with other figures")

	// ErrNotCharged: a refund larger than what the visit's charges less
	// its refunds hold.
	ErrNotCharged = fault.State("the visit's charges do not cover the refund")

	// ErrExceeded: reserving the amount would take reserved + spent above
	// allocated. Carried by an *ExceededError. It does not match
	// fault.ErrInvalidState: the API answers it with its own code.
	ErrExceeded = errors.New("budget exceeded")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

// ExceededError: Requested fen cannot be reserved because only Available
// fen are left (allocated − reserved − spent). It matches ErrExceeded.
type ExceededError struct {
	Available int64
	Requested int64
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("budget exceeded: %d fen requested, %d fen available", e.Requested, e.Available)
}

// Is makes errors.Is(err, ErrExceeded) true.
func (e *ExceededError) Is(target error) bool { return target == ErrExceeded }

// ReservationError: Requested fen cannot be spent or released for Case,
// whose reservation holds only Reserved fen. It matches ErrNotReserved and
// fault.ErrInvalidState.
type ReservationError struct {
	Case      uuid.UUID
	Reserved  int64
	Requested int64
}

func (e *ReservationError) Error() string {
	return fmt.Sprintf("case %s: %d fen requested, %d fen reserved", e.Case, e.Requested, e.Reserved)
}

// Unwrap returns ErrNotReserved.
func (e *ReservationError) Unwrap() error { return ErrNotReserved }
