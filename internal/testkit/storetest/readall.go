package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// testEmptyStore: a new store has no events, Head 0, and no streams.
func testEmptyStore(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	if head := mustHead(ctx, t, s); head != 0 {
		t.Errorf("Head of an empty store = %d, want 0", head)
	}
	if recs, err := s.ReadAll(ctx, 0, 10); err != nil || len(recs) != 0 {
		t.Errorf("ReadAll(0, 10) of an empty store = %d events, %v; want none, no error", len(recs), err)
	}
	if _, err := s.ReadStream(ctx, NewStream("none"), 0); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("ReadStream in an empty store: %v, want ErrNotFound", err)
	}
}

// testReadAllPaging: ReadAll pages follow the global order without gaps or
// repeats, honour their limit, agree with ReadStream, and end at Head.
func testReadAllPaging(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	streams := []string{NewStream("page-a"), NewStream("page-b"), NewStream("page-c")}
	var appended []event.Event
	var last event.Appended
	for i, n := range []int{1, 4, 7, 2, 10, 3, 9, 1, 5, 15} { // 57 events
		evs := NewEvents(n, "page.tested")
		last = mustAppend(ctx, t, s, streams[i%len(streams)], event.Any, evs...)
		appended = append(appended, evs...)
	}

	// Pages of 10: each honours the limit, the next starts after the last
	// position of the previous one, and together they hold every event once.
	const limit = 10
	all := readAllTo(ctx, t, s, 0, limit, last.Position)
	if got, want := RecordedIDs(all), IDs(appended); !slices.Equal(got, want) {
		t.Fatalf("ReadAll pages hold ids %v, want the appended ids in append order %v", got, want)
	}
	checkRecordedAt(t, all)

	// ReadAll and ReadStream agree on every event.
	byID := map[uuid.UUID]event.Recorded{}
	for _, stream := range streams {
		for _, r := range mustReadStream(ctx, t, s, stream, 0) {
			byID[r.ID] = r
		}
	}
	for i, r := range all {
		if d := diffEvent(r, appended[i]); d != "" {
			t.Errorf("ReadAll: %s", d)
		}
		if d := diffRecorded(r, byID[r.ID]); d != "" {
			t.Errorf("ReadAll and ReadStream disagree: %s", d)
		}
	}

	// Head never passes the last event, and reaches it once the store can
	// tell that nothing lower is in flight.
	waitUntil(t, "Head to reach the last position read", func() bool {
		head := mustHead(ctx, t, s)
		if head > last.Position {
			t.Fatalf("Head = %d, beyond the last event (position %d)", head, last.Position)
		}
		return head == last.Position
	})
	for _, beyond := range []int64{last.Position, last.Position + 1, last.Position + 1000} {
		if recs, err := s.ReadAll(ctx, beyond, limit); err != nil || len(recs) != 0 {
			t.Errorf("ReadAll(%d) with Head %d = %d events, %v; want none, no error", beyond, last.Position, len(recs), err)
		}
	}
	// Starting anywhere continues with the next event; a limit of 1 gives one event.
	for _, k := range []int{0, 1, 13, 40, len(all) - 2} {
		var recs []event.Recorded
		waitUntil(t, "ReadAll to return an event", func() bool {
			var err error
			if recs, err = s.ReadAll(ctx, all[k].Position, 1); err != nil {
				t.Fatalf("ReadAll(%d, 1): %v", all[k].Position, err)
			}
			return len(recs) > 0
		})
		if len(recs) != 1 || recs[0].ID != all[k+1].ID {
			t.Errorf("ReadAll(position of event %d, 1) = %v; want event %d (%s) alone", k, RecordedIDs(recs), k+1, all[k+1].ID)
		}
	}
}

// testLongStream: a stream of 100,000 events (10,000 with -short) reads back
// complete and in order through ReadStream and through ReadAll paging.
func testLongStream(t *testing.T, h Harness) {
	total, batch := 100_000, 1_000
	if testing.Short() {
		total = 10_000
	}
	s := h.New(t)
	ctx := bounded(t, 5*time.Minute)
	stream := NewStream("long")
	ids := make([]uuid.UUID, 0, total)
	var res event.Appended
	for v := 0; v < total; v += batch {
		evs := NewEvents(batch, "long.tested")
		res = mustAppend(ctx, t, s, stream, event.Exact(int64(v)), evs...)
		if res.Version != int64(v+batch) {
			t.Fatalf("Append at version %d returned version %d, want %d", v, res.Version, v+batch)
		}
		ids = append(ids, IDs(evs)...)
	}

	check := func(how string, recs []event.Recorded) {
		t.Helper()
		if len(recs) != total {
			t.Fatalf("%s: %d events, want %d", how, len(recs), total)
		}
		for i, r := range recs {
			if r.Version != int64(i+1) || r.ID != ids[i] || r.Stream != stream {
				t.Fatalf("%s: event %d is %s version %d of %q, want %s version %d", how, i, r.ID, r.Version, r.Stream, ids[i], i+1)
			}
			if i > 0 && r.Position <= recs[i-1].Position {
				t.Fatalf("%s: version %d at position %d, not after %d", how, r.Version, r.Position, recs[i-1].Position)
			}
		}
	}
	check("ReadStream", mustReadStream(ctx, t, s, stream, 0))
	check("ReadAll in pages of 1,000", readAllTo(ctx, t, s, 0, 1_000, res.Position))

	half := int64(total/2 + 1)
	tail := mustReadStream(ctx, t, s, stream, half)
	if len(tail) != total-int(half)+1 || tail[0].Version != half || tail[0].ID != ids[half-1] {
		t.Errorf("ReadStream(from %d) = %d events, want %d starting with version %d (%s)", half, len(tail), total-int(half)+1, half, ids[half-1])
	}
}
