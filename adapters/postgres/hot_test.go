package postgres

import (
	"sync"
	"testing"

	"aidtrail/domain/event"
)

// Many writers appending to one busy stream with event.Any all succeed,
// however often they lose the race for its next version.
func TestAnyAppendsToABusyStreamAllSucceed(t *testing.T) {
	t.Parallel()
	s := newStoreWith(t, Config{MaxConns: 60})
	const writers, each = 60, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Append(t.Context(), "access-busy", event.Any, testEvent("access.signed_in")); err != nil {
					t.Errorf("writer %d, append %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.ReadStream(t.Context(), "access-busy", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != writers*each {
		t.Fatalf("stream holds %d events, want %d", len(got), writers*each)
	}
	for i, e := range got {
		if e.Version != int64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
	}
}
