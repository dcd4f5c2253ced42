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

// testIdempotentRetry: repeating an append (same ids, same content) has one
// effect and returns the first append's result, whatever the stream's
// version has become; reusing ids any other way is ErrDuplicateEvent and
// writes nothing.
func testIdempotentRetry(t *testing.T, h Harness) {
	t.Run("Sequential", func(t *testing.T) {
		s, ctx, stream := retryStore(t, h)
		evs := NewEvents(3, "retry.tested")
		first := mustAppend(ctx, t, s, stream, event.NoStream, evs...)
		for i := range 3 {
			res, err := s.Append(ctx, stream, event.NoStream, evs...)
			if err != nil || res != first {
				t.Errorf("retry %d: %+v, %v; want the first result %+v and no error", i+1, res, err, first)
			}
		}
		checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, evs)
		checkOnly(ctx, t, s, evs, first.Position)
	})

	for _, exp := range []event.ExpectedVersion{event.NoStream, event.Any} {
		t.Run("Concurrent/"+exp.String(), func(t *testing.T) {
			s, ctx, stream := retryStore(t, h)
			evs := NewEvents(3, "retry.tested")
			const callers = 20
			results := make([]event.Appended, callers)
			errs := make([]error, callers)
			together(t, callers, "concurrent retries of one append", func(i int) {
				results[i], errs[i] = s.Append(ctx, stream, exp, evs...)
			})
			for i := range callers {
				if errs[i] != nil || results[i] != results[0] {
					t.Errorf("call %d: %+v, %v; want the same result as every other call (%+v, %v)", i, results[i], errs[i], results[0], errs[0])
				}
			}
			recs := mustReadStream(ctx, t, s, stream, 0)
			checkStream(t, recs, stream, 1, evs)
			if want := (event.Appended{Version: 3, Position: recs[2].Position}); results[0] != want {
				t.Errorf("every call returned %+v, want %+v", results[0], want)
			}
			checkOnly(ctx, t, s, evs, recs[2].Position)
		})
	}

	t.Run("DifferentContent", func(t *testing.T) {
		s, ctx, stream := retryStore(t, h)
		evs := NewEvents(3, "retry.tested")
		first := mustAppend(ctx, t, s, stream, event.NoStream, evs...)
		changed := func(change func(*event.Event)) []event.Event {
			out := slices.Clone(evs)
			change(&out[1])
			return out
		}
		other := NewStream("retry-other")
		cases := []struct {
			name   string
			stream string
			events []event.Event
		}{
			{"data", stream, changed(func(e *event.Event) { e.Data = []byte(`{"seq":2,"of":3,"note":"changed"}`) })},
			{"type", stream, changed(func(e *event.Event) { e.Type = "retry.changed" })},
			{"metadata", stream, changed(func(e *event.Event) { e.Metadata.CommandID = uuid.NewString() })},
			{"stream", other, evs},
			{"stream, one event", other, evs[1:2]},
		}
		for _, c := range cases {
			_, err := s.Append(ctx, c.stream, event.Any, c.events...)
			if !errors.Is(err, event.ErrDuplicateEvent) {
				t.Errorf("same ids, different %s: %v, want ErrDuplicateEvent", c.name, err)
			}
		}
		checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, evs)
		if _, err := s.ReadStream(ctx, other, 0); !errors.Is(err, event.ErrNotFound) {
			t.Errorf("refused appends to %q: ReadStream %v, want ErrNotFound", other, err)
		}
		checkOnly(ctx, t, s, evs, first.Position)
	})

	t.Run("HalfOldHalfNew", func(t *testing.T) {
		s, ctx, stream := retryStore(t, h)
		old := NewEvents(2, "retry.tested")
		first := mustAppend(ctx, t, s, stream, event.NoStream, old...)
		fresh := NewEvents(2, "retry.tested")
		for _, mix := range [][]event.Event{slices.Concat(old, fresh), slices.Concat(fresh, old), {fresh[0], old[1]}} {
			for _, exp := range []event.ExpectedVersion{event.Any, event.Exact(2)} {
				if _, err := s.Append(ctx, stream, exp, mix...); !errors.Is(err, event.ErrDuplicateEvent) {
					t.Errorf("append of %d stored and %d new ids (%s): %v, want ErrDuplicateEvent", len(mix)-countIn(mix, fresh), countIn(mix, fresh), exp, err)
				}
			}
		}
		checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, old)
		checkOnly(ctx, t, s, old, first.Position)
	})

	t.Run("RetryAfterStreamMoved", func(t *testing.T) {
		s, ctx, stream := retryStore(t, h)
		seed := NewEvents(2, "retry.seed")
		mustAppend(ctx, t, s, stream, event.NoStream, seed...)
		evs := NewEvents(3, "retry.tested")
		first := mustAppend(ctx, t, s, stream, event.Exact(2), evs...)
		later := NewEvents(2, "retry.later")
		end := mustAppend(ctx, t, s, stream, event.Exact(5), later...)
		for _, exp := range []event.ExpectedVersion{event.Exact(2), event.NoStream, event.Exact(5), event.Any} {
			res, err := s.Append(ctx, stream, exp, evs...)
			if err != nil || res != first {
				t.Errorf("retry with %s after the stream moved to version 7: %+v, %v; want the first result %+v", exp, res, err, first)
			}
		}
		all := slices.Concat(seed, evs, later)
		checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, all)
		checkOnly(ctx, t, s, all, end.Position)
	})
}

// retryStore gives a subtest of testIdempotentRetry a fresh store, a
// minute to run in and a stream not yet written.
func retryStore(t *testing.T, h Harness) (commands.EventStore, context.Context, string) {
	t.Helper()
	return h.New(t), bounded(t, time.Minute), NewStream("retry")
}

// checkOnly fails t unless the whole store holds exactly the events want,
// each once, in that order; last is the position of the last of them.
func checkOnly(ctx context.Context, t *testing.T, s commands.EventStore, want []event.Event, last int64) {
	t.Helper()
	got := RecordedIDs(readAllTo(ctx, t, s, 0, 100, last))
	if !slices.Equal(got, IDs(want)) {
		t.Errorf("store holds %d events %v, want exactly %d events %v", len(got), got, len(want), IDs(want))
	}
}

func countIn(evs, set []event.Event) int {
	n := 0
	for _, e := range evs {
		if slices.ContainsFunc(set, func(f event.Event) bool { return f.ID == e.ID }) {
			n++
		}
	}
	return n
}
