package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testCommitRoundTrip: a transaction over a new stream (NoStream), an
// existing one (Exact) and another existing one (Any), with a requirement,
// commits whole: one result per append, positions rising in append order,
// each stream holding its events, the global order holding the transaction
// together and in order, the required stream untouched, and a live
// subscriber receiving every event once, in position order.
func testCommitRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	exact, anyVersion, absent := NewStream("tx-exact"), NewStream("tx-any"), NewStream("tx-absent")
	mustAppend(ctx, t, s, exact, event.NoStream, NewEvents(2, "tx.seed")...)
	seeded := mustAppend(ctx, t, s, anyVersion, event.NoStream, NewEvents(1, "tx.seed")...)
	sub := startSubscriber(ctx, t, s, seeded.Position)

	tx := event.Transaction{
		Appends: []event.StreamAppend{
			{Stream: NewStream("tx-new"), Expected: event.NoStream, Events: NewEvents(2, "tx.tested")},
			{Stream: exact, Expected: event.Exact(2), Events: NewEvents(3, "tx.tested")},
			{Stream: anyVersion, Expected: event.Any, Events: NewEvents(1, "tx.tested")},
		},
		Require: []event.Requirement{{Stream: absent, Version: 0}},
	}
	res := mustCommit(ctx, t, s, tx)
	firstVersion := []int64{1, 3, 2}
	for i, a := range tx.Appends {
		recs := mustReadStream(ctx, t, s, a.Stream, firstVersion[i])
		checkStream(t, recs, a.Stream, firstVersion[i], a.Events)
		last := recs[len(recs)-1]
		if want := (event.Appended{Version: last.Version, Position: last.Position}); res[i] != want {
			t.Errorf("append %d (%q): result %+v, want %+v (its last event)", i, a.Stream, res[i], want)
		}
		if i > 0 && recs[0].Position <= res[i-1].Position {
			t.Errorf("append %d starts at position %d, not above append %d's last position %d: positions must rise in append order",
				i, recs[0].Position, i-1, res[i-1].Position)
		}
	}
	if _, err := s.ReadStream(ctx, absent, 0); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("ReadStream of a stream the transaction only required: %v, want ErrNotFound", err)
	}
	want := txIDs(tx)
	if got := RecordedIDs(readAllTo(ctx, t, s, seeded.Position, 4, res[2].Position)); !slices.Equal(got, want) {
		t.Errorf("ReadAll after the seed events: %v, want the transaction's events together, in append order: %v", got, want)
	}

	sentinel := NewEvents(1, "tx.sentinel")
	mustAppend(ctx, t, s, NewStream("tx-sentinel"), event.NoStream, sentinel...)
	got := sub.waitFor(t, "the sentinel event after the transaction", func(got []event.Recorded) bool {
		return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == sentinel[0].ID })
	})
	if want := append(want, sentinel[0].ID); !slices.Equal(RecordedIDs(got), want) {
		t.Errorf("subscriber received %v, want every committed event once, in position order: %v", RecordedIDs(got), want)
	}
}

// testCommitAtomicity: a transaction with one stale expected version or one
// stale requirement is refused with a *ConcurrencyError naming that stream,
// and none of its appends is written, whichever append is the stale one.
// The same transaction, corrected, then commits: the refusal left no ids or
// locks behind.
func testCommitAtomicity(t *testing.T, h Harness) {
	cases := []struct {
		name  string
		stale func(tx *event.Transaction) (stream string, expected event.ExpectedVersion, actual int64)
	}{
		{"FirstAppend", func(tx *event.Transaction) (string, event.ExpectedVersion, int64) {
			tx.Appends[0].Expected = event.Exact(1)
			return tx.Appends[0].Stream, event.Exact(1), 0
		}},
		{"MiddleAppend", func(tx *event.Transaction) (string, event.ExpectedVersion, int64) {
			tx.Appends[1].Expected = event.Exact(2)
			return tx.Appends[1].Stream, event.Exact(2), 1
		}},
		{"LastAppend", func(tx *event.Transaction) (string, event.ExpectedVersion, int64) {
			tx.Appends[2].Expected = event.NoStream
			return tx.Appends[2].Stream, event.NoStream, 2
		}},
		{"StaleRequirement", func(tx *event.Transaction) (string, event.ExpectedVersion, int64) {
			tx.Require[0].Version = 1
			return tx.Require[0].Stream, event.Exact(1), 2
		}},
		{"RequirementOnMissingStream", func(tx *event.Transaction) (string, event.ExpectedVersion, int64) {
			missing := NewStream("tx-missing")
			tx.Require = append(tx.Require, event.Requirement{Stream: missing, Version: 1})
			return missing, event.Exact(1), 0
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := h.New(t)
			ctx := bounded(t, time.Minute)
			var seeds []event.Event
			seed := func(stream string, n int) int64 {
				evs := NewEvents(n, "tx.seed")
				seeds = append(seeds, evs...)
				return mustAppend(ctx, t, s, stream, event.NoStream, evs...).Position
			}
			good := event.Transaction{
				Appends: []event.StreamAppend{
					{Stream: NewStream("tx-new"), Expected: event.NoStream, Events: NewEvents(2, "tx.tested")},
					{Stream: NewStream("tx-one"), Expected: event.Exact(1), Events: NewEvents(2, "tx.tested")},
					{Stream: NewStream("tx-two"), Expected: event.Exact(2), Events: NewEvents(1, "tx.tested")},
				},
				Require: []event.Requirement{{Stream: NewStream("tx-required"), Version: 2}},
			}
			seed(good.Appends[1].Stream, 1)
			seed(good.Appends[2].Stream, 2)
			last := seed(good.Require[0].Stream, 2)

			bad := cloneTx(good)
			stream, expected, actual := c.stale(&bad)
			_, err := s.Commit(ctx, bad)
			wantConflict(t, err, stream, expected, actual)
			checkNotWritten(ctx, t, s, bad)
			checkOnly(ctx, t, s, seeds, last)

			res := mustCommit(ctx, t, s, good)
			checkOnly(ctx, t, s, append(seeds, txEvents(good)...), res[2].Position)
		})
	}
}

// testCommitRequirements: a requirement holds while its stream is at the
// stated version and fails once anyone appends to it; version 0 means the
// stream must not exist. A requirement writes nothing to its stream.
func testCommitRequirements(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	account, missing := NewStream("account"), NewStream("account-missing")
	assigned := NewEvents(2, "position.assigned")
	mustAppend(ctx, t, s, account, event.NoStream, assigned...)
	approve := func(req ...event.Requirement) (event.Transaction, error) {
		tx := event.Transaction{
			Appends: []event.StreamAppend{{Stream: NewStream("case"), Expected: event.NoStream, Events: NewEvents(1, "case.approved")}},
			Require: req,
		}
		_, err := s.Commit(ctx, tx)
		return tx, err
	}

	if _, err := approve(event.Requirement{Stream: account, Version: 2}); err != nil {
		t.Fatalf("requirement on %q at its version 2: %v", account, err)
	}
	checkStream(t, mustReadStream(ctx, t, s, account, 0), account, 1, assigned)

	vacated := NewEvents(1, "position.vacated")
	mustAppend(ctx, t, s, account, event.Exact(2), vacated...)
	tx, err := approve(event.Requirement{Stream: account, Version: 2})
	wantConflict(t, err, account, event.Exact(2), 3)
	checkNotWritten(ctx, t, s, tx)
	if _, err := approve(event.Requirement{Stream: account, Version: 3}); err != nil {
		t.Errorf("requirement on %q at its new version 3: %v", account, err)
	}

	if _, err := approve(event.Requirement{Stream: missing, Version: 0}); err != nil {
		t.Errorf("requirement version 0 on a stream with no events: %v", err)
	}
	tx, err = approve(event.Requirement{Stream: account, Version: 0})
	wantConflict(t, err, account, event.Exact(0), 3)
	checkNotWritten(ctx, t, s, tx)
	tx, err = approve(event.Requirement{Stream: missing, Version: 1})
	wantConflict(t, err, missing, event.Exact(1), 0)
	checkNotWritten(ctx, t, s, tx)

	tx, err = approve(event.Requirement{Stream: missing, Version: 0}, event.Requirement{Stream: account, Version: 2})
	wantConflict(t, err, account, event.Exact(2), 3)
	checkNotWritten(ctx, t, s, tx)

	if _, err := s.ReadStream(ctx, missing, 0); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("ReadStream of a stream only ever required: %v, want ErrNotFound", err)
	}
	checkStream(t, mustReadStream(ctx, t, s, account, 0), account, 1, slices.Concat(assigned, vacated))
}

// testCommitValidation: a malformed transaction is ErrInvalid and writes
// nothing, even when some of its appends are valid on their own.
func testCommitValidation(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	a, b := NewStream("tx-a"), NewStream("tx-b")
	ok := func(stream string) event.StreamAppend {
		return event.StreamAppend{Stream: stream, Expected: event.NoStream, Events: NewEvents(2, "tx.tested")}
	}
	shared := NewEvent("tx.tested", `{}`)
	cases := []struct {
		name string
		tx   event.Transaction
	}{
		{"no appends", event.Transaction{}},
		{"only a requirement", event.Transaction{Require: []event.Requirement{{Stream: a, Version: 0}}}},
		{"stream appended twice", event.Transaction{Appends: []event.StreamAppend{ok(a), ok(b), ok(a)}}},
		{"stream appended and required", event.Transaction{Appends: []event.StreamAppend{ok(a), ok(b)},
			Require: []event.Requirement{{Stream: b, Version: 0}}}},
		{"event id in two appends", event.Transaction{Appends: []event.StreamAppend{
			{Stream: a, Expected: event.NoStream, Events: []event.Event{NewEvent("tx.tested", `{}`), shared}},
			{Stream: b, Expected: event.NoStream, Events: []event.Event{shared}},
		}}},
		{"negative requirement version", event.Transaction{Appends: []event.StreamAppend{ok(a)},
			Require: []event.Requirement{{Stream: b, Version: -1}}}},
		{"requirement without a stream", event.Transaction{Appends: []event.StreamAppend{ok(a)},
			Require: []event.Requirement{{Stream: "", Version: 0}}}},
		{"second append has no events", event.Transaction{Appends: []event.StreamAppend{ok(a), {Stream: b, Expected: event.Any}}}},
		{"second append's payload is not JSON", event.Transaction{Appends: []event.StreamAppend{ok(a),
			{Stream: b, Expected: event.Any, Events: []event.Event{NewEvent("tx.tested", `{"unclosed":`)}}}}},
	}
	for _, c := range cases {
		if _, err := callCommit(ctx, s, c.tx); !errors.Is(err, event.ErrInvalid) {
			t.Errorf("%s: Commit returned %v, want ErrInvalid", c.name, err)
		}
	}
	for _, stream := range []string{a, b} {
		if _, err := s.ReadStream(ctx, stream, 0); !errors.Is(err, event.ErrNotFound) {
			t.Errorf("after refused transactions, ReadStream(%q): %v, want ErrNotFound", stream, err)
		}
	}
	if recs, err := s.ReadAll(ctx, 0, 100); err != nil || len(recs) != 0 {
		t.Errorf("after refused transactions, ReadAll = %d events, %v; want an empty store", len(recs), err)
	}
	if head := mustHead(ctx, t, s); head != 0 {
		t.Errorf("after refused transactions, Head = %d, want 0", head)
	}
}

func mustCommit(ctx context.Context, t *testing.T, s commands.EventStore, tx event.Transaction) []event.Appended {
	t.Helper()
	res, err := s.Commit(ctx, tx)
	if err != nil {
		t.Fatalf("Commit(%s): %v", describeTx(tx), err)
	}
	if len(res) != len(tx.Appends) {
		t.Fatalf("Commit(%s) returned %d results, want one per append", describeTx(tx), len(res))
	}
	return res
}

// callCommit calls Commit and turns a panic into an error, so that a store
// that panics on a malformed transaction fails the test that found it.
func callCommit(ctx context.Context, s commands.EventStore, tx event.Transaction) (res []event.Appended, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Commit panicked: %v", p)
		}
	}()
	return s.Commit(ctx, tx)
}

// wantConflict fails t unless err is ErrConcurrency carrying a
// *ConcurrencyError for stream with the given expected and actual versions.
func wantConflict(t *testing.T, err error, stream string, expected event.ExpectedVersion, actual int64) {
	t.Helper()
	var ce *event.ConcurrencyError
	switch {
	case !errors.Is(err, event.ErrConcurrency):
		t.Errorf("Commit returned %v, want ErrConcurrency for %q", err, stream)
	case !errors.As(err, &ce):
		t.Errorf("Commit returned %v, which carries no *event.ConcurrencyError", err)
	case ce.Stream != stream || ce.Expected != expected || ce.Actual != actual:
		t.Errorf("Commit refused with %+v, want stream %q, expected %s, actual %d", *ce, stream, expected, actual)
	}
}

// checkNotWritten fails t if any event of tx is stored in its stream.
func checkNotWritten(ctx context.Context, t *testing.T, s commands.EventStore, tx event.Transaction) {
	t.Helper()
	for _, a := range tx.Appends {
		for _, r := range streamOrNil(ctx, t, s, a.Stream) {
			if slices.ContainsFunc(a.Events, func(e event.Event) bool { return e.ID == r.ID }) {
				t.Errorf("refused transaction: event %s is stored in %q at version %d", r.ID, a.Stream, r.Version)
			}
		}
	}
}

// cloneTx copies tx deeply enough that changing an append's expected
// version or the requirements leaves tx as it was.
func cloneTx(tx event.Transaction) event.Transaction {
	return event.Transaction{Appends: slices.Clone(tx.Appends), Require: slices.Clone(tx.Require)}
}

// txEvents returns the events of tx in append order.
func txEvents(tx event.Transaction) []event.Event {
	var evs []event.Event
	for _, a := range tx.Appends {
		evs = append(evs, a.Events...)
	}
	return evs
}

func txIDs(tx event.Transaction) []uuid.UUID { return IDs(txEvents(tx)) }

func describeTx(tx event.Transaction) string {
	var parts []string
	for _, a := range tx.Appends {
		parts = append(parts, fmt.Sprintf("%q at %s, %d events", a.Stream, a.Expected, len(a.Events)))
	}
	for _, r := range tx.Require {
		parts = append(parts, fmt.Sprintf("requires %q at version %d", r.Stream, r.Version))
	}
	return strings.Join(parts, "; ")
}
