package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testCommitIdempotency: a transaction retried, one call after another or
// from many callers at once, has one effect and every call returns the
// first results, even after its streams moved on; reusing its ids any other
// way (other content, or some ids stored and some new) is ErrDuplicateEvent
// and writes nothing.
func testCommitIdempotency(t *testing.T, h Harness) {
	t.Run("Sequential", func(t *testing.T) {
		t.Parallel()
		s, ctx, tx, seeds := retrySetup(t, h)
		first := mustCommit(ctx, t, s, tx)
		for i := range 2 {
			if res, err := s.Commit(ctx, tx); err != nil || !slices.Equal(res, first) {
				t.Errorf("retry %d: %+v, %v; want the first results %+v and no error", i+1, res, err, first)
			}
		}
		// Its streams move on, the required one too: a retry is still
		// recognised, not refused as stale.
		later := NewEvents(1, "tx.later")
		mustAppend(ctx, t, s, tx.Appends[1].Stream, event.Exact(first[1].Version), later...)
		vacated := NewEvents(1, "position.vacated")
		end := mustAppend(ctx, t, s, tx.Require[0].Stream, event.Exact(1), vacated...)
		if res, err := s.Commit(ctx, tx); err != nil || !slices.Equal(res, first) {
			t.Errorf("retry after the streams moved on: %+v, %v; want the first results %+v", res, err, first)
		}
		checkOnly(ctx, t, s, slices.Concat(seeds, txEvents(tx), later, vacated), end.Position)
	})

	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		s, ctx, tx, seeds := retrySetup(t, h)
		const callers = 20
		results := make([][]event.Appended, callers)
		errs := make([]error, callers)
		together(t, callers, "concurrent retries of one transaction", func(i int) {
			results[i], errs[i] = s.Commit(ctx, tx)
		})
		for i := range callers {
			if errs[i] != nil || !slices.Equal(results[i], results[0]) {
				t.Errorf("call %d: %+v, %v; want the same results as every other call (%+v, %v)", i, results[i], errs[i], results[0], errs[0])
			}
		}
		if errs[0] != nil || len(results[0]) != len(tx.Appends) {
			t.Fatalf("the transaction did not commit: %+v, %v", results[0], errs[0])
		}
		for i, a := range tx.Appends {
			recs := mustReadStream(ctx, t, s, a.Stream, results[0][i].Version-int64(len(a.Events))+1)
			checkStream(t, recs, a.Stream, results[0][i].Version-int64(len(a.Events))+1, a.Events)
			if recs[len(recs)-1].Position != results[0][i].Position {
				t.Errorf("append %d: result position %d, but its last event is at %d", i, results[0][i].Position, recs[len(recs)-1].Position)
			}
		}
		checkOnly(ctx, t, s, slices.Concat(seeds, txEvents(tx)), results[0][1].Position)
	})

	t.Run("DifferentContent", func(t *testing.T) {
		t.Parallel()
		s, ctx, tx, seeds := retrySetup(t, h)
		first := mustCommit(ctx, t, s, tx)
		other := NewStream("tx-other")
		changed := func(part, ev int, change func(*event.StreamAppend, *event.Event)) event.Transaction {
			c := cloneTx(tx)
			c.Appends[part].Events = slices.Clone(c.Appends[part].Events)
			change(&c.Appends[part], &c.Appends[part].Events[ev])
			return c
		}
		cases := map[string]event.Transaction{
			"data": changed(1, 0, func(_ *event.StreamAppend, e *event.Event) { e.Data = []byte(`{"seq":1,"note":"changed"}`) }),
			"type": changed(0, 1, func(_ *event.StreamAppend, e *event.Event) { e.Type = "tx.changed" }),
			"metadata": changed(1, 1, func(_ *event.StreamAppend, e *event.Event) {
				e.Metadata.ActorPositionID = "pos-" + uuid.NewString()
			}),
			"stream": changed(1, 0, func(a *event.StreamAppend, _ *event.Event) { a.Stream, a.Expected = other, event.Any }),
		}
		for name, c := range cases {
			if _, err := s.Commit(ctx, c); !errors.Is(err, event.ErrDuplicateEvent) {
				t.Errorf("same ids, different %s: %v, want ErrDuplicateEvent", name, err)
			}
		}
		if _, err := s.ReadStream(ctx, other, 0); !errors.Is(err, event.ErrNotFound) {
			t.Errorf("refused transaction to %q: ReadStream %v, want ErrNotFound", other, err)
		}
		checkOnly(ctx, t, s, slices.Concat(seeds, txEvents(tx)), first[1].Position)
	})

	t.Run("PartlyStored", func(t *testing.T) {
		t.Parallel()
		s, ctx, tx, seeds := retrySetup(t, h)
		first := mustCommit(ctx, t, s, tx)
		// Expected versions that hold now, so that only the ids can refuse.
		stored := cloneTx(tx)
		for i := range stored.Appends {
			stored.Appends[i].Expected = event.Any
		}
		other := NewStream("tx-other")
		fresh := event.StreamAppend{Stream: other, Expected: event.NoStream, Events: NewEvents(1, "tx.tested")}
		grown := stored.Appends[1]
		grown.Events = append(slices.Clone(grown.Events), NewEvents(1, "tx.tested")...)
		cases := map[string][]event.StreamAppend{
			"stored appends, then a new one":   append(slices.Clone(stored.Appends), fresh),
			"a new append, then a stored one":  {fresh, stored.Appends[0]},
			"a stored append with a new event": {stored.Appends[0], grown},
		}
		for name, appends := range cases {
			c := event.Transaction{Appends: appends, Require: tx.Require}
			if _, err := s.Commit(ctx, c); !errors.Is(err, event.ErrDuplicateEvent) {
				t.Errorf("%s: %v, want ErrDuplicateEvent", name, err)
			}
			checkNotWritten(ctx, t, s, event.Transaction{Appends: []event.StreamAppend{fresh, {Stream: grown.Stream, Events: grown.Events[2:]}}})
		}
		checkOnly(ctx, t, s, slices.Concat(seeds, txEvents(tx)), first[1].Position)
	})
}

// retrySetup makes a store with a seeded stream and a seeded account, and
// a transaction that appends to a new stream and to the seeded one while
// requiring the account at its version. seeds are the stored events.
func retrySetup(t *testing.T, h Harness) (commands.EventStore, context.Context, event.Transaction, []event.Event) {
	t.Helper()
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	existing, account := NewStream("tx-existing"), NewStream("account")
	seeds := slices.Concat(NewEvents(1, "tx.seed"), NewEvents(1, "position.assigned"))
	mustAppend(ctx, t, s, existing, event.NoStream, seeds[0])
	mustAppend(ctx, t, s, account, event.NoStream, seeds[1])
	tx := event.Transaction{
		Appends: []event.StreamAppend{
			{Stream: NewStream("tx-new"), Expected: event.NoStream, Events: NewEvents(2, "tx.tested")},
			{Stream: existing, Expected: event.Exact(1), Events: NewEvents(2, "tx.tested")},
		},
		Require: []event.Requirement{{Stream: account, Version: 1}},
	}
	return s, ctx, tx, seeds
}
