package kurrentdb_test

import (
	"fmt"
	"testing"

	"aidtrail/domain/event"
	"aidtrail/internal/testkit/kurrenttest"
	"aidtrail/internal/testkit/storetest"
)

// Without its cache, a store reads every stream and the global order from
// the log itself, in runs of consecutive revisions, and answers exactly as
// a store that caches (the conformance suite runs with a cache).
func TestUncachedReads(t *testing.T) {
	t.Parallel()
	cfg, _ := kurrenttest.Config(t)
	cached := kurrenttest.Open(t, cfg)
	cfg.CacheEvents, cfg.ReadBatch = -1, 7 // small batches: refresh reads in many steps
	uncached := kurrenttest.Open(t, cfg)
	ctx := t.Context()
	streams := []string{storetest.NewStream("a"), storetest.NewStream("b"), storetest.NewStream("c")}
	for i := range 40 {
		// Interleave the streams so that each is spread over many runs of
		// the log, and alternate the writing store.
		s := cached
		if i%2 == 1 {
			s = uncached
		}
		tx := event.Transaction{Appends: []event.StreamAppend{
			{Stream: streams[i%3], Expected: event.Any, Events: storetest.NewEvents(1+i%4, fmt.Sprintf("uncached.%d", i))},
			{Stream: streams[(i+1)%3], Expected: event.Any, Events: storetest.NewEvents(1, "uncached.other")},
		}}
		if _, err := s.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	for _, stream := range streams {
		for _, from := range []int64{0, 5, 17} {
			want, err1 := cached.ReadStream(ctx, stream, from)
			got, err2 := uncached.ReadStream(ctx, stream, from)
			if err1 != nil || err2 != nil || !sameRecords(got, want) {
				t.Fatalf("ReadStream(%s, %d): uncached %d events (%v), cached %d (%v)", stream, from, len(got), err2, len(want), err1)
			}
		}
	}
	all := readAll(ctx, t, cached)
	for _, page := range []int{1, 3, 50} {
		var got []event.Recorded
		after := int64(0)
		for {
			recs, err := uncached.ReadAll(ctx, after, page)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) == 0 {
				break
			}
			got = append(got, recs...)
			after = recs[len(recs)-1].Position
		}
		if !sameRecords(got, all) {
			t.Fatalf("ReadAll in pages of %d without the cache: %d events, want %d as cached", page, len(got), len(all))
		}
	}
}

func sameRecords(a, b []event.Recorded) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Position != b[i].Position || a[i].Version != b[i].Version ||
			a[i].Stream != b[i].Stream || string(a[i].Data) != string(b[i].Data) || a[i].Metadata != b[i].Metadata ||
			!a[i].RecordedAt.Equal(b[i].RecordedAt) {
			return false
		}
	}
	return true
}
