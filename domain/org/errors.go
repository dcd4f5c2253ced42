package org

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Errors of the org package. Match them with errors.Is and errors.As, never
// with a type assertion: callers wrap them. The HTTP layer maps ErrInvalid to
// 400 validation, ErrInvalidState to 409 invalid_state, ErrInconsistent to
// 409 conflict, and ErrHistory to 500 (a stream it cannot replay is a bug or
// corruption, never the client's fault).
var (
	// ErrInvalid: an input breaks a rule (a name too long, a level out of
	// order). Always carried by a *ValidationError naming the field.
	ErrInvalid = errors.New("invalid")

	// ErrInvalidState: the aggregate is in a state where the action is not
	// allowed. The more precise sentinels below wrap it.
	ErrInvalidState = errors.New("invalid state")

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
	ErrHistory = errors.New("history cannot be replayed")

	// ErrUnknownEvent: a stream holds an event type this package does not
	// know. Replaying refuses it rather than skipping it, so that state is
	// never rebuilt from part of the history.
	ErrUnknownEvent = errors.New("unknown event type")
)

// ValidationError says which input field breaks which rule. Field uses the
// API's JSON names, with an index for list items ("family[1].birth_date").
// It matches ErrInvalid.
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

// HistoryError: the event at Version of Stream cannot be applied. Err says
// why (ErrUnknownEvent, a JSON error, a broken structural rule). It matches
// ErrHistory and unwraps to Err.
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
