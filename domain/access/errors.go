package access

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Errors of the access package. Match them with errors.Is and errors.As.
// The HTTP layer maps ErrInvalid to 400 validation, ErrForbidden to 403
// forbidden, ErrInvalidState to 409 invalid_state, ErrPositionNotFound to
// 404 not_found and ErrHistory to 500.
var (
	// ErrInvalid: an input breaks a rule. Always carried by a
	// *ValidationError naming the field.
	ErrInvalid = errors.New("invalid")

	// ErrInvalidState: the account is in a state where the action is not
	// allowed. The more precise sentinels below wrap it.
	ErrInvalidState = errors.New("invalid state")

	// ErrAccountClosed: a closed account takes no positions, no password,
	// and is never authorised.
	ErrAccountClosed = fmt.Errorf("%w: account is closed", ErrInvalidState)

	// ErrUnitClosed: positions are not assigned at a closed unit.
	ErrUnitClosed = fmt.Errorf("%w: unit is closed", ErrInvalidState)

	// ErrPositionNotActive: the position was vacated already. Carried by a
	// *PositionNotActiveError.
	ErrPositionNotActive = fmt.Errorf("%w: position is not active", ErrInvalidState)

	// ErrPositionsActive: the account cannot close while it holds active
	// positions; vacate them first. Carried by an *ActivePositionsError.
	ErrPositionsActive = fmt.Errorf("%w: account holds active positions", ErrInvalidState)

	// ErrPositionNotFound: the account never held that position.
	ErrPositionNotFound = errors.New("position not found")

	// ErrForbidden: the account may not do that there. Carried by a
	// *ForbiddenError.
	ErrForbidden = errors.New("forbidden")

	// ErrHistory: a stream's events cannot be replayed. Carried by a
	// *HistoryError.
	ErrHistory = errors.New("history cannot be replayed")

	// ErrUnknownEvent: a stream holds an event type this package does not
	// know; replaying refuses it rather than skip it.
	ErrUnknownEvent = errors.New("unknown event type")
)

// ValidationError says which input field breaks which rule, by the API's
// JSON names ("roles[1]"). It matches ErrInvalid.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// ForbiddenError: the account may not use Permission at Unit. Reason is for
// logs and the audit trail, not for the client. It matches ErrForbidden.
type ForbiddenError struct {
	Permission Permission
	Unit       uuid.UUID
	Reason     string
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("forbidden: %s at unit %s: %s", e.Permission, e.Unit, e.Reason)
}

// Is makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// PositionNotActiveError: Position of the account was vacated already. It
// matches ErrPositionNotActive and ErrInvalidState.
type PositionNotActiveError struct {
	Account  uuid.UUID
	Position uuid.UUID
}

func (e *PositionNotActiveError) Error() string {
	return fmt.Sprintf("position %s of account %s is vacated already", e.Position, e.Account)
}

// Unwrap returns ErrPositionNotActive.
func (e *PositionNotActiveError) Unwrap() error { return ErrPositionNotActive }

// ActivePositionsError: the account still holds Positions (in the order
// they were assigned). It matches ErrPositionsActive and ErrInvalidState.
type ActivePositionsError struct {
	Account   uuid.UUID
	Positions []uuid.UUID
}

func (e *ActivePositionsError) Error() string {
	return fmt.Sprintf("account %s holds %d active position(s)", e.Account, len(e.Positions))
}

// Unwrap returns ErrPositionsActive.
func (e *ActivePositionsError) Unwrap() error { return ErrPositionsActive }

// HistoryError: the event at Version of Stream cannot be applied; Err says
// why. It matches ErrHistory and unwraps to Err.
type HistoryError struct {
	Stream  string
	Version int64
	Type    string
	Err     error
}

func (e *HistoryError) Error() string {
	return fmt.Sprintf("replay %s at version %d (%s): %v", e.Stream, e.Version, e.Type, e.Err)
}

// Is makes errors.Is(err, ErrHistory) true.
func (e *HistoryError) Is(target error) bool { return target == ErrHistory }

// Unwrap returns the cause.
func (e *HistoryError) Unwrap() error { return e.Err }
