package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// subscriber runs Subscribe in the background and keeps what it delivers.
type subscriber struct {
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when Subscribe has returned
	once   sync.Once

	mu  sync.Mutex
	got []event.Recorded
	err error // what Subscribe returned
}

func startSubscriber(ctx context.Context, t *testing.T, s commands.EventStore, after int64) *subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	sub := &subscriber{ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sub.done)
		err := s.Subscribe(ctx, after, func(_ context.Context, e event.Recorded) error {
			sub.mu.Lock()
			defer sub.mu.Unlock()
			sub.got = append(sub.got, e)
			return nil
		})
		sub.mu.Lock()
		sub.err = err
		sub.mu.Unlock()
	}()
	t.Cleanup(func() { sub.stop(t) })
	return sub
}

func (sub *subscriber) events() []event.Recorded {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	return slices.Clone(sub.got)
}

// waitFor waits until cond holds for the events delivered so far, failing t
// if Subscribe returns first or after waitLimit.
func (sub *subscriber) waitFor(t *testing.T, what string, cond func([]event.Recorded) bool) []event.Recorded {
	t.Helper()
	var got []event.Recorded
	waitUntil(t, what, func() bool {
		select {
		case <-sub.done:
			t.Fatalf("Subscribe returned (%v) while waiting for %s", sub.err, what)
		default:
		}
		got = sub.events()
		return cond(got)
	})
	return got
}

// stop cancels the subscription and checks that Subscribe returns the
// context's error (context.Canceled, or DeadlineExceeded if the test's
// deadline came first).
func (sub *subscriber) stop(t *testing.T) {
	t.Helper()
	sub.once.Do(func() {
		sub.cancel()
		select {
		case <-sub.done:
			if want := sub.ctx.Err(); !errors.Is(sub.err, want) {
				t.Errorf("Subscribe returned %v after its context ended, want %v", sub.err, want)
			}
		case <-time.After(waitLimit):
			t.Errorf("Subscribe did not return within %s of its context being cancelled", waitLimit)
		}
	})
}

// subscribeOnce runs Subscribe in the foreground, bounded by waitLimit.
func subscribeOnce(ctx context.Context, t *testing.T, s commands.EventStore, after int64, fn func(context.Context, event.Recorded) error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Subscribe(ctx, after, fn) }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLimit + 5*time.Second):
		t.Fatalf("Subscribe ignored the end of its context")
		return nil
	}
}

// testSubscribeReturns: Subscribe delivers stored then new events in order,
// each once, from any position; it returns fn's error, or the context's
// error when the context ends.
func testSubscribeReturns(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	stream := NewStream("sub")
	mustAppend(ctx, t, s, stream, event.NoStream, NewEvents(5, "sub.tested")...)
	recs := mustReadStream(ctx, t, s, stream, 0)

	t.Run("FnError", func(t *testing.T) {
		errStop := errors.New("handler failed")
		var got []uuid.UUID
		err := subscribeOnce(ctx, t, s, 0, func(_ context.Context, e event.Recorded) error {
			got = append(got, e.ID)
			if len(got) == 2 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			t.Errorf("Subscribe returned %v, want fn's error", err)
		}
		if want := RecordedIDs(recs[:2]); !slices.Equal(got, want) {
			t.Errorf("fn saw %v, want %v and then nothing once it failed", got, want)
		}
	})

	t.Run("CancelledBeforeCall", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := subscribeOnce(cctx, t, s, 0, func(context.Context, event.Recorded) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Subscribe with a cancelled context returned %v, want context.Canceled", err)
		}
	})

	t.Run("DeadlineWhileIdle", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		err := subscribeOnce(dctx, t, s, recs[4].Position, func(_ context.Context, e event.Recorded) error {
			t.Errorf("Subscribe from the last event delivered %s (position %d), but nothing follows it", e.ID, e.Position)
			return nil
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Subscribe whose context timed out returned %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("FromMiddle", func(t *testing.T) {
		sub := startSubscriber(ctx, t, s, recs[2].Position)
		sub.waitFor(t, "version 5", func(got []event.Recorded) bool {
			return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == recs[4].ID })
		})
		sub.stop(t)
		got := sub.events()
		if want := RecordedIDs(recs[3:]); !slices.Equal(RecordedIDs(got), want) {
			t.Fatalf("Subscribe from the position of version 3 delivered %v, want versions 4 and 5 only: %v", RecordedIDs(got), want)
		}
		for i, r := range got {
			if d := diffRecorded(r, recs[3+i]); d != "" {
				t.Errorf("Subscribe and ReadStream disagree: %s", d)
			}
		}
	})

	t.Run("CatchUpThenLive", func(t *testing.T) {
		sub := startSubscriber(ctx, t, s, 0)
		sub.waitFor(t, "the last stored event", func(got []event.Recorded) bool {
			return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == recs[4].ID })
		})
		live := NewEvents(5, "sub.live")
		mustAppend(ctx, t, s, stream, event.Exact(5), live...)
		sentinel := NewEvents(1, "sub.sentinel")
		mustAppend(ctx, t, s, NewStream("sub-sentinel"), event.NoStream, sentinel...)
		got := sub.waitFor(t, "the sentinel event", func(got []event.Recorded) bool {
			return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == sentinel[0].ID })
		})
		want := slices.Concat(RecordedIDs(recs), IDs(live), IDs(sentinel))
		if !slices.Equal(RecordedIDs(got), want) {
			t.Errorf("Subscribe delivered %v, want each stored then each new event once, in order: %v", RecordedIDs(got), want)
		}
	})
}

// testSubscriberRestarts: a subscriber stopped at random points (its context
// cancelled from inside fn, or fn failing) and restarted from the position
// of the last event it handled sees every event exactly once, in order,
// while writers keep appending.
func testSubscriberRestarts(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, 2*time.Minute)
	seed := uint64(time.Now().UnixNano())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("stop points drawn with random seed %d", seed)
		}
	})
	rng := rand.New(rand.NewPCG(seed, 7))

	var (
		mu       sync.Mutex
		appended = map[uuid.UUID]bool{}
		end      int64 // the highest position an append returned
	)
	stopWriting := make(chan struct{})
	var writers sync.WaitGroup
	streams := []string{NewStream("restart-a"), NewStream("restart-b"), NewStream("restart-c")}
	for w := range 2 {
		writers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stopWriting:
					return
				default:
				}
				evs := NewEvents(1+(i+w)%3, "restart.tested")
				res, err := s.Append(ctx, streams[(i+w)%len(streams)], event.Any, evs...)
				if err != nil {
					t.Errorf("writer %d: Append: %v", w, err)
					return
				}
				mu.Lock()
				end = max(end, res.Position)
				for _, e := range evs {
					appended[e.ID] = true
				}
				mu.Unlock()
				time.Sleep(300 * time.Microsecond)
			}
		})
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(stopWriting)
			writers.Wait()
		}
	}
	defer stop()

	var handled []event.Recorded // guarded by mu
	last := int64(0)
	handle := func(e event.Recorded) {
		mu.Lock()
		defer mu.Unlock()
		if e.Position <= last {
			t.Errorf("after a restart from position %d, Subscribe delivered position %d", last, e.Position)
		}
		handled = append(handled, e)
		last = e.Position
	}
	errStop := errors.New("handler stops here")
	for round := range 10 {
		stopAt := 1 + rng.IntN(40)
		byError := round%2 == 1
		rctx, cancel := context.WithCancel(ctx)
		n := 0
		mu.Lock()
		from := last
		mu.Unlock()
		err := subscribeOnce(rctx, t, s, from, func(_ context.Context, e event.Recorded) error {
			if n++; n == stopAt && byError {
				return errStop // not handled: it must come again after the restart
			}
			handle(e)
			if n == stopAt {
				cancel()
			}
			return nil
		})
		cancel()
		switch {
		case n < stopAt:
			t.Fatalf("round %d: Subscribe returned %v after %d events, before the subscriber stopped it at event %d", round, err, n, stopAt)
		case byError && !errors.Is(err, errStop):
			t.Errorf("round %d: fn failed, Subscribe returned %v, want fn's error", round, err)
		case !byError && !errors.Is(err, context.Canceled):
			t.Errorf("round %d: context cancelled, Subscribe returned %v, want context.Canceled", round, err)
		}
	}

	stop()
	if last < end {
		fctx, cancel := context.WithCancel(ctx)
		err := subscribeOnce(fctx, t, s, last, func(_ context.Context, e event.Recorded) error {
			handle(e)
			if e.Position >= end {
				cancel()
			}
			return nil
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("final catch-up to position %d stopped at %d: %v", end, last, err)
		}
	}

	seen := map[uuid.UUID]int{}
	for _, e := range handled {
		seen[e.ID]++
		if !appended[e.ID] {
			t.Errorf("delivered %s, which no append wrote", e.ID)
		}
	}
	wrong := 0
	for id := range appended {
		if n := seen[id]; n != 1 {
			if wrong++; wrong <= 5 {
				t.Errorf("event %s appended once, handled %d times across restarts", id, n)
			}
		}
	}
	if wrong > 5 {
		t.Errorf("... and %d more events not handled exactly once", wrong-5)
	}
	t.Logf("%d events handled over 10 restarts", len(handled))
}
