package projections

import (
	"context"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections/cases"
)

// holdBack is a middleware that holds the batches of one handler, before
// its transaction, while holding is set and until release is closed: a
// read model that has fallen behind.
func holdBack(handler string, holding *atomic.Bool, release <-chan struct{}) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if holding.Load() && message.HandlerNameFromCtx(msg.Context()) == handler {
				select {
				case <-release:
				case <-msg.Context().Done():
					return nil, msg.Context().Err()
				}
			}
			return next(msg)
		}
	}
}

// A read that names the read models it reads waits for those alone: the
// case list answers at a position while another read model is held
// behind it, and a wait for every read model still waits for that one.
func TestWaitForTheReadModelsNamed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(31)
		write(t, w, env.Store, 3)
		var holding atomic.Bool
		release := make(chan struct{})
		t.Cleanup(func() {
			if holding.Load() {
				close(release)
			}
		})
		held := &tally{}
		r, _, _ := start(t, t.Context(), env, []Projection{cases.New(), held}, holdBack(HandlerName(held), &holding, release))
		waitFor(t, r, caughtUp(t, env))

		holding.Store(true) // from the next event on
		write(t, w, env.Store, 1)
		at := head(t, env)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		if err := r.Wait(ctx, at, time.Millisecond, cases.Name); err != nil {
			t.Fatalf("waiting for the case list alone: %v", err)
		}
		short, cancelShort := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancelShort()
		if err := r.Wait(short, at, time.Millisecond); !errors.Is(err, ErrLagging) {
			t.Fatalf("waiting for every read model while one is held: %v, want ErrLagging", err)
		}
		if err := r.Wait(t.Context(), at, time.Millisecond, "nosuch"); err == nil {
			t.Fatal("a wait for a read model the runner does not run succeeded")
		}
		holding.Store(false)
		close(release)
		if err := r.Wait(ctx, at, time.Millisecond); err != nil {
			t.Fatalf("waiting for every read model once released: %v", err)
		}
	})
}

// A handler that falls behind receives what queued meanwhile as one
// batch: consecutive batches merged, every event once, in order; a batch
// that does not follow on (a gap) is delivered on its own after.
func TestChannelBrokerMergesWhatQueued(t *testing.T) {
	b := NewChannelBroker(nil)
	t.Cleanup(func() { _ = b.Close() })
	sub, err := b.Subscriber("Behind")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := sub.Subscribe(t.Context(), Topic)
	if err != nil {
		t.Fatal(err)
	}
	publish := func(prev int64, positions ...int64) {
		t.Helper()
		bt := batch{prev: prev}
		for _, p := range positions {
			bt.events = append(bt.events, event.Recorded{Position: p, Stream: "s", Type: "t", Data: []byte(`{}`)})
		}
		msg, err := encodeBatch(bt)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Publisher().Publish(Topic, msg); err != nil {
			t.Fatal(err)
		}
	}
	publish(0, 1, 2)
	first := <-msgs // held, unacknowledged, while more queue
	publish(2, 3)
	publish(3, 4, 5)
	publish(5, 6)
	publish(9, 10) // 7 to 9 never published here: a gap
	first.Ack()
	var got [][]int64
	for range 2 {
		select {
		case msg := <-msgs:
			bt, err := decodeBatch(msg)
			if err != nil {
				t.Fatal(err)
			}
			var ps []int64
			for _, e := range bt.events {
				ps = append(ps, e.Position)
			}
			got = append(got, append([]int64{bt.prev}, ps...))
			msg.Ack()
		case <-time.After(10 * time.Second):
			t.Fatalf("deliveries after the first: %v, want two", got)
		}
	}
	if want := [][]int64{{2, 3, 4, 5, 6}, {9, 10}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("deliveries (prev, positions…) %v, want %v", got, want)
	}
}
