package budget

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the budget package. Match them with errors.Is and errors.As,
// never with a type assertion: callers wrap them. The HTTP layer maps
// ErrInvalid to 400 validation, ErrExceeded to 409 budget_exceeded,
// ErrInvalidState to 409 invalid_state and ErrHistory to 500.
var (
	// ErrInvalid: an input breaks a rule (an amount not above zero, a year
	// out of range, a malformed line). Always carried by a *ValidationError
	// naming the field.
	ErrInvalid = fault.ErrInvalid

	// ErrInvalidState: the budget is in a state where the action is not
	// allowed. The more precise sentinels below wrap it.
	ErrInvalidState = fault.ErrInvalidState

	// ErrNotReserved: a case's reservation does not cover the amount to
	// spend or release. Carried by a *ReservationError.
	ErrNotReserved = fmt.Errorf("%w: the case's reservation does not cover the amount", ErrInvalidState)

	// ErrPaymentSpent: the payment was already spent from this budget with a
	// different case or amount; the same payment, case and amount again is
	// a no-op instead.
	ErrPaymentSpent = fmt.Errorf("%w: payment already spent with other figures", ErrInvalidState)

	// ErrExceeded: reserving the amount would take reserved + spent above
	// allocated. Carried by an *ExceededError. It does not match
	// ErrInvalidState: the API answers it with its own code.
	ErrExceeded = errors.New("budget exceeded")

	// ErrHistory: a stream's events cannot be replayed. Carried by a
	// *HistoryError.
	ErrHistory = fault.ErrHistory

	// ErrUnknownEvent: a stream holds an event type this package does not
	// know; replaying refuses it rather than skip it.
	ErrUnknownEvent = fault.ErrUnknownEvent
)

// ValidationError says which input field breaks which rule, by the API's
// JSON names. It matches ErrInvalid.
type ValidationError = fault.ValidationError

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

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
// ErrInvalidState.
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

// HistoryError: the event at Version of Stream cannot be applied. Err says
// why (ErrUnknownEvent, a JSON error, a broken structural rule). It matches
// ErrHistory and unwraps to Err.
type HistoryError = fault.HistoryError
