package uow

import (
	"context"

	"aidtrail/domain/event"
)

// EventStore is the port every event-store adapter implements (PostgreSQL,
// embedded SQLite, KurrentDB). The conformance suite in internal/testkit/storetest
// holds each adapter to this contract. All methods are safe for concurrent
// use.
type EventStore interface {
	// Append writes events to the end of stream, all or none, if the stream
	// is at the expected version; otherwise it returns an error matching
	// event.ErrConcurrency and writes nothing. Appending events whose ids are
	// all stored already, with identical content, writes nothing and returns
	// the first append's result; any other reuse of an id is
	// event.ErrDuplicateEvent. A malformed append (see event.ValidateAppend)
	// is event.ErrInvalid. A cancelled context leaves nothing half-written;
	// it is honoured until the append is under way, which then runs to its
	// outcome, so that an error means nothing was written. Only a lost
	// connection leaves the outcome unknown: retry with the same event ids.
	Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error)

	// Commit performs a transaction (see event.Transaction): all appends or
	// none, each under its expected version, and only if every required
	// stream is at its version; otherwise an error matching
	// event.ErrConcurrency (a *event.ConcurrencyError naming the first
	// stream found out of date) and nothing is written. It returns one
	// result per append, in order; positions increase in that order.
	// Idempotency is as for Append, over all the transaction's events: all
	// stored identically returns the first results; any other overlap is
	// event.ErrDuplicateEvent.
	Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error)

	// ReadStream returns the events of stream with version ≥ from, in
	// version order. A stream with no events is event.ErrNotFound.
	ReadStream(ctx context.Context, stream string, from int64) ([]event.Recorded, error)

	// ReadAll returns at most limit events with position > after, in global
	// order. It never returns an event while an event with a lower position
	// may still commit, so a reader that continues from the last position it
	// received skips nothing. It may return fewer than limit events (even
	// none) while a lower position is still in flight.
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)

	// Subscribe calls fn with every event with position > after, in global
	// order, one at a time: first those already stored, then new ones as
	// they commit. It returns when ctx ends (with ctx.Err()) or when fn
	// returns an error (with that error). fn's event is delivered once per
	// call of Subscribe; a subscriber that restarts from the position of the
	// last event it handled sees every event exactly once.
	Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error

	// Head returns the highest global position that ReadAll can deliver now.
	Head(ctx context.Context) (int64, error)
}
