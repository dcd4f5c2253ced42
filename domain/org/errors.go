package org

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the org package. Match them with errors.Is and errors.As, never
// with a type assertion: callers wrap them. The HTTP layer maps fault.ErrInvalid to
// 400 validation, fault.ErrInvalidState to 409 invalid_state, ErrInconsistent to
// 409 conflict, and fault.ErrHistory to 500 (a stream it cannot replay is a bug or
// corruption, never the client's fault).
var (
	// ErrUnitClosed: a closed unit cannot be renamed, moved, closed again,
	// nor receive children or employees.
	ErrUnitClosed = fault.State("unit is closed")

	// ErrNotEmpty: the unit still has open work and cannot close. Carried by
	// a *NotEmptyError saying what is open.
	ErrNotEmpty = fault.State("unit still has open work")

	// ErrErased: the employee's personal data is erased; nothing about the
	// employee can change any more.
	ErrErased = fault.State("employee is erased")

	// ErrCycle: a unit cannot move under itself or under a unit of its own
	// subtree. Carried by a *CycleError, which also matches fault.ErrInvalid and
	// unwraps to a *fault.ValidationError on parent_id.
	ErrCycle = errors.New("a unit cannot move under itself or its own subtree")

	// ErrInconsistent: the aggregates handed to an operation do not agree
	// with each other (the "old parent" is not the unit's parent, a child
	// already listed, a descendant missing). It means a stale read or a bug
	// in the caller; reloading and retrying is the remedy.
	ErrInconsistent = errors.New("aggregates do not agree with each other")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInconsistent, fmt.Sprintf(format, args...))
}

// CycleError: Unit cannot move under NewParent, which is Unit itself or in
// Unit's subtree. It matches ErrCycle and fault.ErrInvalid, and errors.As finds a
// *fault.ValidationError for the field parent_id in it.
type CycleError struct {
	Unit      uuid.UUID
	NewParent uuid.UUID
}

func (e *CycleError) Error() string {
	return fmt.Sprintf("unit %s cannot move under %s: %v", e.Unit, e.NewParent, ErrCycle)
}

// Unwrap exposes ErrCycle and the validation error on parent_id.
func (e *CycleError) Unwrap() []error {
	return []error{ErrCycle, &fault.ValidationError{Field: "parent_id", Reason: "is the unit itself or inside its subtree"}}
}

// NotEmptyError: Unit cannot close while Work is open. It matches ErrNotEmpty
// and fault.ErrInvalidState.
type NotEmptyError struct {
	Unit uuid.UUID
	Work OpenWork
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("unit %s has %d open child unit(s) and %d employee(s)", e.Unit, e.Work.Children, e.Work.Employees)
}

// Unwrap returns ErrNotEmpty.
func (e *NotEmptyError) Unwrap() error { return ErrNotEmpty }
