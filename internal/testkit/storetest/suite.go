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
	"sync"
	"testing"
	"time"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// Harness is how an adapter's tests plug into the suite.
type Harness struct {
	// New returns a fresh, migrated, empty store private to t (cleaned up by t.Cleanup).
	New func(t *testing.T) commands.EventStore
	// Begin, when non-nil, begins a transaction of s and leaves it open. The transaction takes its
	// place in the store's order of transactions at once, before it appends anything (on PostgreSQL
	// it takes its transaction id), so a test can make an older transaction append after a younger
	// one. Stores that can commit appends out of position order (PostgreSQL) provide it; stores
	// that serialise writers (SQLite) leave it nil. The transaction is rolled back when t ends if
	// it has not been committed.
	Begin func(ctx context.Context, t *testing.T, s commands.EventStore) Tx
}

// Tx is a transaction a test holds open in a store, to commit appends out of
// position order.
type Tx interface {
	// Append appends events to stream with expected version Any inside the
	// transaction and returns once they hold their global positions (drawn,
	// not committed).
	Append(stream string, events ...event.Event) error
	// Commit commits the transaction.
	Commit() error
}

// holdAppend begins a transaction that appends events to stream and leaves
// it open; commit commits it. Commit runs at t's end too, once, so that no
// transaction is left open when the test fails.
func holdAppend(ctx context.Context, t *testing.T, h Harness, s commands.EventStore, stream string, events ...event.Event) (commit func() error) {
	t.Helper()
	tx := h.Begin(ctx, t, s)
	if err := tx.Append(stream, events...); err != nil {
		t.Fatalf("append to %q in a held transaction: %v", stream, err)
	}
	return commitOnce(t, tx)
}

// commitOnce returns a function that commits tx the first time it is
// called and returns that commit's result every time; t's cleanup calls it.
func commitOnce(t *testing.T, tx Tx) func() error {
	var once sync.Once
	var err error
	commit := func() error {
		once.Do(func() { err = tx.Commit() })
		return err
	}
	t.Cleanup(func() { _ = commit() })
	return commit
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
		// serial runs the test before the others start: it builds an order
		// of transactions that other transactions completing meanwhile
		// would blur.
		serial bool
	}{
		{"EmptyStore", testEmptyStore, false},
		{"RoundTrip", testRoundTrip, false},
		{"StreamIsolation", testStreamIsolation, false},
		{"PayloadKinds", testPayloadKinds, false},
		{"ExpectedVersion", testExpectedVersion, false},
		{"InvalidAppend", testInvalidAppend, false},
		{"IdempotentRetry", testIdempotentRetry, false},
		{"ConcurrentSameVersion", testConcurrentSameVersion, false},
		{"CancelledContext", testCancelledContext, false},
		{"ReadAllPaging", testReadAllPaging, false},
		{"LongStream", testLongStream, false},
		{"SubscribeReturns", testSubscribeReturns, false},
		{"OutOfOrderCommit", testOutOfOrderCommit, false},
		{"YoungerHoldsLower", testYoungerHoldsLower, true},
		{"WritersWithSubscriber", testWritersWithSubscriber, false},
		{"InterleavedAppends", testInterleavedAppends, true},
		{"SubscriberRestarts", testSubscriberRestarts, false},
		{"CommitRoundTrip", testCommitRoundTrip, false},
		{"CommitAtomicity", testCommitAtomicity, false},
		{"CommitRequirements", testCommitRequirements, false},
		{"CommitIdempotency", testCommitIdempotency, false},
		{"CommitValidation", testCommitValidation, false},
		{"CommitRequirementRace", testCommitRequirementRace, false},
		{"CommitNoDeadlock", testCommitNoDeadlock, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.serial {
				t.Parallel()
			}
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

// together calls fn(0) to fn(n-1) each in its own goroutine, released at
// the same moment, and waits for them all, failing t if that takes longer
// than waitLimit (a store that deadlocks, or ignores its callers'
// contexts).
func together(t *testing.T, n int, what string, fn func(i int)) {
	t.Helper()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatalf("%s did not finish within %s", what, waitLimit)
	}
}
