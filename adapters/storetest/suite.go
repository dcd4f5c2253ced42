// Package storetest is the conformance suite every event-store adapter must
// pass: it holds an implementation of commands.EventStore to the promises of
// that interface's documentation (atomic appends, optimistic concurrency,
// idempotent retries, a global order that readers can follow without ever
// skipping an event, even when transactions commit out of position order,
// and multi-stream transactions that commit whole or not at all, only while
// the streams they were decided on are unchanged).
//
// An adapter's tests call Run with a Harness that makes fresh stores.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// Harness is how an adapter's tests plug into the suite.
type Harness struct {
	// New returns a fresh, migrated, empty store private to t (cleaned up by t.Cleanup).
	New func(t *testing.T) commands.EventStore
	// HoldAppend, when non-nil, begins appending events to stream with expected version Any inside a
	// transaction that it leaves open: it returns once the events have their global positions
	// (allocated, not committed); commit completes that transaction. Stores that can commit appends
	// out of position order (PostgreSQL) provide it; stores that serialise writers (SQLite) leave it nil.
	HoldAppend func(ctx context.Context, t *testing.T, s commands.EventStore, stream string, events ...event.Event) (commit func() error)
}

// waitLimit bounds every wait for the store to do something (deliver an
// event, return from a call), so that a broken store fails a test instead of
// hanging it. It is a liveness bound, never a performance requirement.
const waitLimit = 20 * time.Second

// Run runs every conformance test as subtests of t. Subtests call t.Parallel() where they can
// (each makes its own store via h.New or uses fresh stream names).
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("storetest: Harness.New is nil")
	}
	tests := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"EmptyStore", testEmptyStore},
		{"RoundTrip", testRoundTrip},
		{"StreamIsolation", testStreamIsolation},
		{"PayloadKinds", testPayloadKinds},
		{"ExpectedVersion", testExpectedVersion},
		{"InvalidAppend", testInvalidAppend},
		{"IdempotentRetry", testIdempotentRetry},
		{"ConcurrentSameVersion", testConcurrentSameVersion},
		{"CancelledContext", testCancelledContext},
		{"ReadAllPaging", testReadAllPaging},
		{"LongStream", testLongStream},
		{"SubscribeReturns", testSubscribeReturns},
		{"OutOfOrderCommit", testOutOfOrderCommit},
		{"WritersWithSubscriber", testWritersWithSubscriber},
		{"SubscriberRestarts", testSubscriberRestarts},
		{"CommitRoundTrip", testCommitRoundTrip},
		{"CommitAtomicity", testCommitAtomicity},
		{"CommitRequirements", testCommitRequirements},
		{"CommitIdempotency", testCommitIdempotency},
		{"CommitValidation", testCommitValidation},
		{"CommitRequirementRace", testCommitRequirementRace},
		{"CommitNoDeadlock", testCommitNoDeadlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, h)
		})
	}
}

// bounded returns a context that ends after d or when t ends.
func bounded(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

func mustAppend(ctx context.Context, t *testing.T, s commands.EventStore, stream string, expected event.ExpectedVersion, evs ...event.Event) event.Appended {
	t.Helper()
	res, err := s.Append(ctx, stream, expected, evs...)
	if err != nil {
		t.Fatalf("Append(%q, %s, %d events): %v", stream, expected, len(evs), err)
	}
	return res
}

func mustReadStream(ctx context.Context, t *testing.T, s commands.EventStore, stream string, from int64) []event.Recorded {
	t.Helper()
	recs, err := s.ReadStream(ctx, stream, from)
	if err != nil {
		t.Fatalf("ReadStream(%q, %d): %v", stream, from, err)
	}
	return recs
}

// streamOrNil reads a whole stream, treating ErrNotFound as "no events".
func streamOrNil(ctx context.Context, t *testing.T, s commands.EventStore, stream string) []event.Recorded {
	t.Helper()
	recs, err := s.ReadStream(ctx, stream, 0)
	if errors.Is(err, event.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("ReadStream(%q, 0): %v", stream, err)
	}
	if len(recs) == 0 {
		t.Fatalf("ReadStream(%q, 0) returned no events and no error; a stream with no events is ErrNotFound", stream)
	}
	return recs
}

func mustHead(ctx context.Context, t *testing.T, s commands.EventStore) int64 {
	t.Helper()
	h, err := s.Head(ctx)
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	return h
}

// readAllTo reads the global order after the position after, in pages of
// at most page events, until it has read the event at position last, which
// the caller knows is committed and the highest in the store. A store may
// return short or empty pages while it cannot yet tell that no lower
// position will still commit (for example while unrelated transactions are
// open), so such pages are read again, within waitLimit. Each page must
// honour its limit and continue the order; nothing may follow last.
func readAllTo(ctx context.Context, t *testing.T, s commands.EventStore, after int64, page int, last int64) []event.Recorded {
	t.Helper()
	var all []event.Recorded
	deadline := time.Now().Add(waitLimit)
	for after < last {
		recs, err := s.ReadAll(ctx, after, page)
		if err != nil {
			t.Fatalf("ReadAll(%d, %d): %v", after, page, err)
		}
		if len(recs) > page {
			t.Fatalf("ReadAll(%d, %d) returned %d events, more than the limit", after, page, len(recs))
		}
		for _, r := range recs {
			if r.Position <= after {
				t.Fatalf("ReadAll: position %d follows position %d; want strictly increasing positions after the one asked for", r.Position, after)
			}
			after = r.Position
		}
		all = append(all, recs...)
		if len(recs) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("ReadAll stopped at position %d for %s; position %d is committed", after, waitLimit, last)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if recs, err := s.ReadAll(ctx, after, page); err != nil || len(recs) != 0 {
		t.Fatalf("ReadAll(%d) after the last event = %d events, %v; want none", after, len(recs), err)
	}
	return all
}

// waitUntil polls cond until it holds, failing t after waitLimit.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", waitLimit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// callAppend calls Append and turns a panic into an error, so that a store
// that panics on bad input fails the test that found it, not the whole run.
func callAppend(ctx context.Context, s commands.EventStore, stream string, expected event.ExpectedVersion, evs ...event.Event) (res event.Appended, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{p}
		}
	}()
	return s.Append(ctx, stream, expected, evs...)
}

type panicError struct{ value any }

func (p *panicError) Error() string { return fmt.Sprintf("Append panicked: %v", p.value) }
