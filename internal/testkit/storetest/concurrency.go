package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testConcurrentSameVersion: of many writers appending to one stream with
// the same expected version, exactly one wins; every other gets
// ErrConcurrency and writes nothing.
func testConcurrentSameVersion(t *testing.T, h Harness) {
	for _, seeded := range []int{0, 2} {
		name := "NoStream"
		if seeded > 0 {
			name = "Exact"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := h.New(t)
			ctx := bounded(t, time.Minute)
			stream := NewStream("race")
			seed := NewEvents(seeded, "race.seed")
			if seeded > 0 {
				mustAppend(ctx, t, s, stream, event.NoStream, seed...)
			}
			expected := event.Exact(int64(seeded))
			const writers = 50
			batches := make([][]event.Event, writers)
			results := make([]event.Appended, writers)
			errs := make([]error, writers)
			for i := range batches {
				batches[i] = NewEvents(3, "race.tested")
			}
			together(t, writers, "concurrent appends with one expected version", func(i int) {
				results[i], errs[i] = s.Append(ctx, stream, expected, batches[i]...)
			})

			winner := -1
			final := int64(seeded + 3)
			for i, err := range errs {
				var ce *event.ConcurrencyError
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both appended with %s", winner, i, expected)
				case err == nil:
					winner = i
				case !errors.Is(err, event.ErrConcurrency):
					t.Errorf("writer %d: %v, want ErrConcurrency", i, err)
				case !errors.As(err, &ce):
					t.Errorf("writer %d: %v does not carry a *event.ConcurrencyError", i, err)
				case ce.Actual != final:
					t.Errorf("writer %d refused with actual version %d; the only version other than %d the stream ever had is %d", i, ce.Actual, seeded, final)
				}
			}
			if winner < 0 {
				t.Fatalf("no writer succeeded with %s", expected)
			}
			recs := mustReadStream(ctx, t, s, stream, 0)
			want := slices.Concat(seed, batches[winner])
			checkStream(t, recs, stream, 1, want)
			if w := (event.Appended{Version: final, Position: recs[len(recs)-1].Position}); results[winner] != w {
				t.Errorf("winner's Append returned %+v, want %+v", results[winner], w)
			}
			checkOnly(ctx, t, s, want, recs[len(recs)-1].Position)
		})
	}
}

// testCancelledContext: cancelling an append's context, before the call or
// while it runs, never leaves part of it written; an append that returned
// no error is entirely there, and the store stays usable.
func testCancelledContext(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, 2*time.Minute)
	var all []attempt

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	existing := NewStream("cancel-existing")
	mustAppend(ctx, t, s, existing, event.NoStream, NewEvents(1, "cancel.seed")...)
	for _, stream := range []string{NewStream("cancel-new"), existing} {
		a := attempt{stream: stream, events: NewEvents(3, "cancel.tested")}
		a.res, a.err = s.Append(cancelled, stream, event.Any, a.events...)
		all = append(all, a)
	}

	shared := NewStream("cancel-shared")
	for round := range 6 {
		actx, cancel := context.WithCancel(ctx)
		attempts := make([]attempt, 20)
		for i := range attempts {
			stream := shared
			if i%2 == 0 {
				stream = NewStream("cancel-own")
			}
			attempts[i] = attempt{stream: stream, events: NewEvents(5, "cancel.tested")}
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				<-start
				a := &attempts[i]
				a.res, a.err = s.Append(actx, a.stream, event.Any, a.events...)
			})
		}
		close(start)
		// Cancel at a different moment each round: at once, then after a
		// growing pause, so that some rounds catch appends mid-way.
		time.Sleep(time.Duration(round*round) * 500 * time.Microsecond)
		cancel()
		wg.Wait()
		all = append(all, attempts...)
	}

	checkAttempts(ctx, t, s, all)

	// A cancelled append must not leave anything locked: every stream still
	// takes an append.
	streams := map[string]bool{}
	for _, a := range all {
		streams[a.stream] = true
	}
	for stream := range streams {
		if _, err := s.Append(ctx, stream, event.Any, NewEvents(1, "cancel.after")...); err != nil {
			t.Errorf("Append to %q after cancelled appends: %v", stream, err)
		}
	}
}

// attempt is one append whose outcome is checked afterwards.
type attempt struct {
	stream string
	events []event.Event
	res    event.Appended
	err    error
}

// checkAttempts fails t unless each attempt is either entirely in its stream,
// as consecutive versions in its order, or not there at all; an attempt that
// returned no error must be there, where its result says. The store must
// hold nothing else.
func checkAttempts(ctx context.Context, t *testing.T, s commands.EventStore, attempts []attempt) {
	t.Helper()
	streams := map[string][]event.Recorded{}
	stored := 0
	for _, a := range attempts {
		recs, ok := streams[a.stream]
		if !ok {
			recs = streamOrNil(ctx, t, s, a.stream)
			streams[a.stream] = recs
		}
		at := slices.IndexFunc(recs, func(r event.Recorded) bool { return r.ID == a.events[0].ID })
		found := 0
		for _, e := range a.events {
			if slices.ContainsFunc(recs, func(r event.Recorded) bool { return r.ID == e.ID }) {
				found++
			}
		}
		switch {
		case found == 0 && a.err == nil:
			t.Errorf("append to %q returned %+v and no error, but none of its events is stored", a.stream, a.res)
		case found == 0:
			// Refused or cancelled before it took effect: fine.
		case found != len(a.events) || at < 0 || at+len(a.events) > len(recs):
			t.Errorf("append to %q (error %v) is half-written: %d of its %d events stored", a.stream, a.err, found, len(a.events))
		default:
			stored += found
			checkStream(t, recs[at:at+len(a.events)], a.stream, recs[at].Version, a.events)
			last := recs[at+len(a.events)-1]
			if a.err == nil && a.res != (event.Appended{Version: last.Version, Position: last.Position}) {
				t.Errorf("append to %q returned %+v, but its last event is at version %d, position %d", a.stream, a.res, last.Version, last.Position)
			}
		}
	}
	for stream, recs := range streams {
		for i, r := range recs {
			if r.Version != int64(i+1) {
				t.Errorf("stream %q: event %d has version %d; versions must be 1, 2, 3, ... without gaps", stream, i, r.Version)
				break
			}
		}
	}
	last := int64(0)
	for _, recs := range streams {
		if len(recs) > 0 {
			last = max(last, recs[len(recs)-1].Position)
		}
	}
	if got := len(readAllTo(ctx, t, s, 0, 1000, last)) - seededEvents(attempts, streams); got != stored {
		t.Errorf("the store holds %d events from these appends, but only %d belong to an append that is entirely stored", got, stored)
	}
}

// seededEvents counts the events in streams that belong to no attempt
// (written by the test as set-up).
func seededEvents(attempts []attempt, streams map[string][]event.Recorded) int {
	mine := map[uuid.UUID]bool{}
	for _, a := range attempts {
		for _, e := range a.events {
			mine[e.ID] = true
		}
	}
	n := 0
	for _, recs := range streams {
		for _, r := range recs {
			if !mine[r.ID] {
				n++
			}
		}
	}
	return n
}
