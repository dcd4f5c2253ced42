package org

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the org package. Match them with errors.Is and errors.As, never
// with a type assertion: callers wrap them. The HTTP layer maps ErrInvalid to
// 400 validation, ErrInvalidState to 409 invalid_state, ErrInconsistent to
// 409 conflict, and ErrHistory to 500 (a stream it cannot replay is a bug or
// corruption, never the client's fault).
var (
	// ErrInvalid: an input breaks a rule (a name too long, a level out of
	// order). Always carried by a *ValidationError naming the field.
	ErrInvalid = fault.ErrInvalid

	// ErrInvalidState: the aggregate is in a state where the action is not
	// allowed. The more precise sentinels below wrap it.
	ErrInvalidState = fault.ErrInvalidState

	// ErrUnitClosed: a closed unit cannot be renamed, moved, closed again,
	// nor receive children or employees.
	ErrUnitClosed = fmt.Errorf("%w: unit is closed", ErrInvalidState)

	// ErrNotEmpty: the unit still has open work and cannot close. Carried by
	// a *NotEmptyError saying what is open.
	ErrNotEmpty = fmt.Errorf("%w: unit still has open work", ErrInvalidState)

	// ErrErased: the employee's personal data is erased; nothing about the
	// employee can change any more.
	ErrErased = fmt.Errorf("%w: employee is erased", ErrInvalidState)

	// ErrCycle: a unit cannot move under itself or under a unit of its own
	// subtree. Carried by a *CycleError, which also matches ErrInvalid and
	// unwraps to a *ValidationError on parent_id.
	ErrCycle = errors.New("a unit cannot move under itself or its own subtree")

	// ErrInconsistent: the aggregates handed to an operation do not agree
	// with each other (the "old parent" is not the unit's parent, a child
	// already listed, a descendant missing). It means a stale read or a bug
	// in the caller; reloading and retrying is the remedy.
	ErrInconsistent = errors.New("aggregates do not agree with each other")

	// ErrHistory: a stream's events cannot be replayed. Carried by a
	// *HistoryError.
	ErrHistory = fault.ErrHistory

	// ErrUnknownEvent: a stream holds an event type this package does not
	// know. Replaying refuses it rather than skipping it, so that state is
	// never rebuilt from part of the history.
	ErrUnknownEvent = fault.ErrUnknownEvent
)

// ValidationError says which input field breaks which rule (see fault).
type ValidationError = fault.ValidationError

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInconsistent, fmt.Sprintf(format, args...))
}

// CycleError: Unit cannot move under NewParent, which is Unit itself or in
// Unit's subtree. It matches ErrCycle and ErrInvalid, and errors.As finds a
// *ValidationError for the field parent_id in it.
type CycleError struct {
	Unit      uuid.UUID
	NewParent uuid.UUID
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("unit %s cannot move under %s: %v", e.Unit, e.NewParent, ErrCycle)
}

// Unwrap exposes ErrCycle and the validation error on parent_id.
func (e *CycleError) Unwrap() []error {
	return []error{ErrCycle, &ValidationError{Field: "parent_id", Reason: "is the unit itself or inside its subtree"}}
}

// NotEmptyError: Unit cannot close while Work is open. It matches ErrNotEmpty
// and ErrInvalidState.
type NotEmptyError struct {
	Unit uuid.UUID
	Work OpenWork
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("unit %s has %d open child unit(s) and %d employee(s)", e.Unit, e.Work.Children, e.Work.Employees)
}

// Unwrap returns ErrNotEmpty.
func (e *NotEmptyError) Unwrap() error { return ErrNotEmpty }

// HistoryError: an event of a stream cannot be applied (see fault).
type HistoryError = fault.HistoryError
