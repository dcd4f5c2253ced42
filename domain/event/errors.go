package event

import (
	"errors"
	"fmt"
)

// Sentinel errors every event-store adapter reports, wrapped with context.
// Match them with errors.Is.
var (
	// ErrNotFound: the stream has no events.
	ErrNotFound = errors.New("not found")
	// ErrConcurrency: the stream is not at the expected version. Nothing was
	// written; the caller may reload and retry.
	ErrConcurrency = errors.New("stream version conflict")
	// ErrDuplicateEvent: an event id is already stored with other content,
	// or only some of the ids of an append are stored. Nothing was written.
	ErrDuplicateEvent = errors.New("event id already stored with different content")
	// ErrInvalid: the append itself is malformed (no events, a payload that
	// is not JSON, an empty type or stream). Nothing was written.
	ErrInvalid = errors.New("invalid append")
)

// ConcurrencyError carries the detail of an ErrConcurrency.
type ConcurrencyError struct {
	Stream   string
	Expected ExpectedVersion
	Actual   int64 // the stream's version when the append was refused
}

func (e *ConcurrencyError) Error() string {
	return fmt.Sprintf("stream %q: expected %s, found version %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrConcurrency) true.
func (e *ConcurrencyError) Is(target error) bool { return target == ErrConcurrency }
