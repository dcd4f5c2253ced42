package access

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the access package. Match them with errors.Is and errors.As.
// The HTTP layer maps fault.ErrInvalid to 400 validation, ErrForbidden to 403
// forbidden, fault.ErrInvalidState to 409 invalid_state, ErrPositionNotFound to
// 404 not_found and fault.ErrHistory to 500.
var (
	// ErrAccountClosed: a closed account takes no positions, no password,
	// and is never authorised.
	ErrAccountClosed = fault.State("account is closed")

	// ErrUnitClosed: positions are not assigned at a closed unit.
	ErrUnitClosed = fault.State("unit is closed")

	// ErrPositionNotActive: the position was vacated already. Carried by a
	// *PositionNotActiveError.
	ErrPositionNotActive = fault.State("position is not active")

	// ErrPositionsActive: the account cannot close while it holds active
	// positions; vacate them first. Carried by an *ActivePositionsError.
	ErrPositionsActive = fault.State("account holds active positions")

	// ErrPositionNotFound: the account never held that position.
	ErrPositionNotFound = errors.New("position not found")

	// ErrForbidden: the account may not do that there. Carried by a
	// *ForbiddenError.
	ErrForbidden = errors.New("forbidden")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

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
// matches ErrPositionNotActive and fault.ErrInvalidState.
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
// they were assigned). It matches ErrPositionsActive and fault.ErrInvalidState.
type ActivePositionsError struct {
	Account   uuid.UUID
	Positions []uuid.UUID
}

func (e *ActivePositionsError) Error() string {
	return fmt.Sprintf("account %s holds %d active position(s)", e.Account, len(e.Positions))
}

// Unwrap returns ErrPositionsActive.
func (e *ActivePositionsError) Unwrap() error { return ErrPositionsActive }
