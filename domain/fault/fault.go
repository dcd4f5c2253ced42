// Package fault is the domain's one error taxonomy. Every aggregate package
// reports through these sentinels and types (re-exported under its own
// names), so that callers and the HTTP layer match one set with errors.Is
// and errors.As: ErrInvalid is 400 validation, ErrInvalidState 409
// invalid_state, ErrHistory a 500 (a stream that cannot be replayed is a
// bug or corruption, never the client's fault), ErrConflict 409 conflict.
package fault

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid: an input breaks a rule. Always carried by a
	// *ValidationError naming the field.
	ErrInvalid = errors.New("invalid")

	// ErrInvalidState: the aggregate is in a state where the action is not
	// allowed. Each package's more precise sentinels wrap it.
	ErrInvalidState = errors.New("invalid state")

	// ErrHistory: a stream's events cannot be replayed. Carried by a
	// *HistoryError.
	ErrHistory = errors.New("history cannot be replayed")

	// ErrConflict: a permanent conflict. A value that must be unique (a
	// unit code, a login, a standard's code) is taken, or the caller acted
	// on a view of an aggregate that has changed since (a stale If-Match).
	// Deciding again cannot change the answer, so a command refused with it
	// is answered at once, never retried. A transient conflict between
	// writers is event.ErrConcurrency instead.
	ErrConflict = errors.New("conflict")

	// ErrUnknownEvent: a stream holds an event type its aggregate does not
	// know. Replaying refuses it rather than skipping it, so that state is
	// never rebuilt from part of the history.
	ErrUnknownEvent = errors.New("unknown event type")
)

// State returns a package's sentinel for one state in which an action is
// refused: it matches ErrInvalidState and says which state, as
// "invalid state: what".
func State(what string) error { return fmt.Errorf("%w: %s", ErrInvalidState, what) }

// Conflict returns a package's sentinel for one permanent conflict: it
// matches ErrConflict and says which, as "conflict: what".
func Conflict(what string) error { return fmt.Errorf("%w: %s", ErrConflict, what) }

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

// Invalid returns a *ValidationError for field.
func Invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

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
