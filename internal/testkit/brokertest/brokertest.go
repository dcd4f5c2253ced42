// Package brokertest is the conformance suite of the brokers that carry
// batches of events from the forwarder to projection handlers
// (projections.Broker): the in-process channel and watermill-sql. It holds
// each to what the projection runner relies on: every handler receives
// every batch, in the order published; a batch a handler refuses (nack)
// comes to it again, before the batches after it; and, for a broker that
// keeps batches, those published before a handler subscribed reach it too.
//
// An adapter's tests call Run with a Harness that makes fresh brokers.
package brokertest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"aidtrail/projections"
)

// Harness is how a broker's tests plug into the suite.
type Harness struct {
	// New returns a fresh broker private to t (closed by t.Cleanup), on a
	// topic no other test uses.
	New func(t *testing.T) projections.Broker
	// Durable says the broker keeps batches: those published before a
	// handler subscribed reach it. An in-process channel does not.
	Durable bool
}

// waitLimit bounds every wait for the broker, so that a broken one fails a
// test instead of hanging it. It is a liveness bound only.
const waitLimit = 30 * time.Second

// Run runs every conformance test as subtests of t.
func Run(t *testing.T, h Harness) {
	t.Helper()
	t.Run("EveryHandlerEveryBatchInOrder", func(t *testing.T) { t.Parallel(); testEveryHandler(t, h) })
	t.Run("NackedBatchComesAgainFirst", func(t *testing.T) { t.Parallel(); testNack(t, h) })
	if h.Durable { // an in-process channel keeps nothing for later handlers
		t.Run("BatchesBeforeSubscribing", func(t *testing.T) { t.Parallel(); testBeforeSubscribing(t, h) })
	}
}

// received is what one handler acknowledged, and every delivery it saw.
type received struct {
	mu        sync.Mutex
	acked     []string
	delivered []string
}

func (r *received) snapshot() (acked, delivered []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.acked), slices.Clone(r.delivered)
}

// consume subscribes handler on b and acknowledges what arrives, except
// that refuse says (per payload and delivery count) to nack it instead.
func consume(ctx context.Context, t *testing.T, b projections.Broker, handler string, refuse func(payload string, seen int) bool) *received {
	t.Helper()
	sub, err := b.Subscriber(handler)
	if err != nil {
		t.Fatalf("subscriber %s: %v", handler, err)
	}
	msgs, err := sub.Subscribe(ctx, projections.Topic)
	if err != nil {
		t.Fatalf("subscribe %s: %v", handler, err)
	}
	r := &received{}
	go func() {
		seen := map[string]int{}
		for msg := range msgs {
			p := string(msg.Payload)
			seen[p]++
			r.mu.Lock()
			r.delivered = append(r.delivered, p)
			if refuse != nil && refuse(p, seen[p]) {
				r.mu.Unlock()
				msg.Nack()
				continue
			}
			r.acked = append(r.acked, p)
			r.mu.Unlock()
			msg.Ack()
		}
	}()
	return r
}

// publish publishes batches "0" … "n-1" one at a time, in order, from a
// goroutine (an in-process broker's Publish waits for the handlers).
func publish(t *testing.T, b projections.Broker, n int) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for i := range n {
			msg := message.NewMessage(fmt.Sprintf("batch-%d-%d", i, time.Now().UnixNano()), []byte(strconv.Itoa(i)))
			if err := b.Publisher().Publish(projections.Topic, msg); err != nil {
				done <- fmt.Errorf("publish %d: %w", i, err)
				return
			}
		}
		done <- nil
	}()
	return done
}

// want is "0" … "n-1".
func want(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// waitAcked waits until r has acknowledged n batches and returns them.
func waitAcked(t *testing.T, what string, r *received, n int) []string {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		acked, delivered := r.snapshot()
		if len(acked) >= n {
			return acked
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s acknowledged %d of %d batches within %s (deliveries %v)", what, len(acked), n, waitLimit, delivered)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testEveryHandler(t *testing.T, h Harness) {
	b := h.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const n = 40
	one := consume(ctx, t, b, "HandlerOne", nil)
	two := consume(ctx, t, b, "HandlerTwo", nil)
	done := publish(t, b, n)
	for name, r := range map[string]*received{"HandlerOne": one, "HandlerTwo": two} {
		if got := waitAcked(t, name, r, n); !slices.Equal(got, want(n)) {
			t.Errorf("%s acknowledged %v, want every batch once in the order published", name, got)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func testNack(t *testing.T, h Harness) {
	b := h.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const n = 12
	r := consume(ctx, t, b, "HandlerNacking", func(p string, seen int) bool { return p == "5" && seen == 1 })
	done := publish(t, b, n)
	if got := waitAcked(t, "HandlerNacking", r, n); !slices.Equal(got, want(n)) {
		t.Errorf("acknowledged %v after refusing batch 5 once, want every batch once, in order", got)
	}
	if _, delivered := r.snapshot(); countOf(delivered, "5") != 2 {
		t.Errorf("deliveries %v: the refused batch should come exactly twice", delivered)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func testBeforeSubscribing(t *testing.T, h Harness) {
	b := h.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const n = 10
	// A handler that exists before the batches are published makes the
	// topic; a second subscribes only after they all were.
	first := consume(ctx, t, b, "HandlerEarly", nil)
	if err := <-publish(t, b, n); err != nil {
		t.Fatal(err)
	}
	waitAcked(t, "HandlerEarly", first, n)
	late := consume(ctx, t, b, "HandlerLate", nil)
	if got := waitAcked(t, "HandlerLate", late, n); !slices.Equal(got, want(n)) {
		t.Errorf("a handler subscribed after publishing acknowledged %v, want every batch in order", got)
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
