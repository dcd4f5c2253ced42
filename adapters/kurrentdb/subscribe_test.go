package kurrentdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"aidtrail/adapters/kurrentdb"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/kurrentstandin"
	"aidtrail/internal/testkit/kurrenttest"
	"aidtrail/internal/testkit/storetest"
)

// A subscription whose connection drops, again and again, while it
// catches up and while it follows new events, resumes from where it was
// and delivers every event of the log exactly once, in order — and
// nothing of the node's system events or of another log on the same node.
func TestSubscriptionResumesAfterDrops(t *testing.T) {
	t.Parallel()
	standin := kurrentstandin.Start(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	open := func(log string) *kurrentdb.Store {
		s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: standin.URL(), Log: log, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	s, other := open("aidtrail"), open("aidtrail-other")
	appendSome := func(round, n int) {
		for i := range n {
			stream := storetest.NewStream(fmt.Sprintf("drop-%d-%d", round, i%3))
			if _, err := s.Append(ctx, stream, event.Any, storetest.NewEvents(2, "drop.tested")...); err != nil {
				t.Fatal(err)
			}
			if _, err := other.Append(ctx, stream, event.Any, storetest.NewEvents(1, "drop.other")...); err != nil {
				t.Fatal(err)
			}
			standin.WriteSystemEvent("$stats-node", "$statsCollected")
		}
	}
	appendSome(0, 50) // 100 events stored before the subscription starts

	var mu sync.Mutex
	var got []event.Recorded
	drops := 0
	subCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(subCtx, 0, func(_ context.Context, r event.Recorded) error {
			mu.Lock()
			got = append(got, r)
			n := len(got)
			mu.Unlock()
			if n%17 == 0 { // drop mid-stream, between one event and the next
				if standin.DropSubscriptions() > 0 {
					drops++
				}
			}
			return nil
		})
	}()
	appendSome(1, 50) // 100 more while it catches up and follows
	want := readAll(ctx, t, s)
	if len(want) != 200 {
		t.Fatalf("the log holds %d events, want 200", len(want))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for a repeat to show
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe returned %v after its context ended, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if drops < 5 {
		t.Errorf("only %d drops happened; the test should drop the subscription at least 5 times", drops)
	}
	if len(got) != len(want) {
		t.Fatalf("delivered %d events over %d drops, want %d, each once", len(got), drops, len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Position != want[i].Position {
			t.Fatalf("delivery %d is %s at %d, want %s at %d", i, got[i].ID, got[i].Position, want[i].ID, want[i].Position)
		}
	}
}

// A subscription that starts after a position delivers what follows it,
// and returns fn's error as it is.
func TestSubscribeAfterAndHandlerError(t *testing.T) {
	t.Parallel()
	s, _ := kurrenttest.Store(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	first, err := s.Append(ctx, storetest.NewStream("after"), event.NoStream, storetest.NewEvents(3, "after.tested")...)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Append(ctx, storetest.NewStream("after"), event.NoStream, storetest.NewEvents(1, "after.tested")...)
	if err != nil {
		t.Fatal(err)
	}
	stopHere := errors.New("handled enough")
	var seen []int64
	err = s.Subscribe(ctx, first.Position, func(_ context.Context, r event.Recorded) error {
		seen = append(seen, r.Position)
		return stopHere
	})
	if err != stopHere { //nolint:errorlint // the very error fn returned, unwrapped
		t.Errorf("Subscribe returned %v, want fn's error itself", err)
	}
	if len(seen) != 1 || seen[0] != second.Position {
		t.Errorf("after position %d delivered %v, want [%d]", first.Position, seen, second.Position)
	}
}

// readAll reads the whole global order of s.
func readAll(ctx context.Context, t *testing.T, s *kurrentdb.Store) []event.Recorded {
	t.Helper()
	var all []event.Recorded
	after := int64(0)
	for {
		page, err := s.ReadAll(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Position
	}
}
