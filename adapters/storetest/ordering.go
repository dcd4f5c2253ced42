package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// testOutOfOrderCommit: while an append holds a lower position open, a
// later append that committed a higher position is invisible to ReadAll,
// Head and Subscribe; once the lower one commits, both are delivered in
// position order, each once.
func testOutOfOrderCommit(t *testing.T, h Harness) {
	if h.HoldAppend == nil {
		t.Skip("store serialises writers; commits cannot be out of order")
	}
	s := h.New(t)
	ctx := bounded(t, 2*time.Minute)
	head := mustAppend(ctx, t, s, NewStream("ooo-seed"), event.NoStream, NewEvents(2, "ooo.seed")...).Position
	sub := startSubscriber(ctx, t, s, head)

	streamA, streamB := NewStream("ooo-a"), NewStream("ooo-b")
	evA, evB := NewEvents(1, "ooo.a"), NewEvents(1, "ooo.b")
	commitA := h.HoldAppend(ctx, t, s, streamA, evA...)
	var commitOnce sync.Once
	var commitErr error
	commit := func() { commitOnce.Do(func() { commitErr = commitA() }) }
	t.Cleanup(commit) // never leave the transaction open, even when the test fails

	type result struct {
		res event.Appended
		err error
	}
	bDone := make(chan result, 1)
	go func() {
		res, err := s.Append(ctx, streamB, event.Any, evB...)
		bDone <- result{res, err}
	}()
	var b result
	select {
	case b = <-bDone:
	case <-time.After(waitLimit):
		commit()
		t.Fatalf("Append to another stream did not return while HoldAppend's transaction was open: " +
			"the store serialises writers, so its harness should leave HoldAppend nil")
	}
	if b.err != nil {
		t.Fatalf("Append of B: %v", b.err)
	}

	// B has committed above A's open position: for a while, nothing may be
	// delivered past A.
	// Head reports what ReadAll can deliver now, so it answers while A is
	// open rather than waiting for A.
	headNow := func() int64 {
		t.Helper()
		hctx, cancel := context.WithTimeout(ctx, waitLimit)
		defer cancel()
		hd, err := s.Head(hctx)
		if err != nil {
			t.Fatalf("Head while a lower position was open: %v; Head must report what ReadAll can deliver now, not wait for open transactions", err)
		}
		return hd
	}
	var heads []int64
	for range 15 {
		if got := sub.events(); len(got) != 0 {
			t.Fatalf("Subscribe delivered %s (position %d) while a lower position was still open", got[0].ID, got[0].Position)
		}
		recs, err := s.ReadAll(ctx, head, 100)
		if err != nil {
			t.Fatalf("ReadAll(%d): %v", head, err)
		}
		if len(recs) != 0 {
			t.Fatalf("ReadAll(%d) returned %s (position %d) while a lower position was still open", head, recs[0].ID, recs[0].Position)
		}
		heads = append(heads, headNow())
		time.Sleep(20 * time.Millisecond)
	}

	commit()
	if commitErr != nil {
		t.Fatalf("commit of A: %v", commitErr)
	}
	sentinel := NewEvents(1, "ooo.sentinel")
	end := mustAppend(ctx, t, s, NewStream("ooo-sentinel"), event.NoStream, sentinel...)

	got := sub.waitFor(t, "the sentinel event", func(got []event.Recorded) bool {
		return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == sentinel[0].ID })
	})
	want := []uuid.UUID{evA[0].ID, evB[0].ID, sentinel[0].ID}
	if !slices.Equal(RecordedIDs(got), want) {
		t.Fatalf("Subscribe delivered %v, want A, B, sentinel each once in that order: %v", RecordedIDs(got), want)
	}
	posA, posB := got[0].Position, got[1].Position
	if posA >= posB {
		t.Errorf("A at position %d, B at %d: A took its position first, so it must be lower", posA, posB)
	}
	if b.res.Position != posB {
		t.Errorf("B's Append returned position %d, but B is at %d", b.res.Position, posB)
	}
	for _, hd := range heads {
		if hd >= posA {
			t.Errorf("Head was %d while A (position %d) was still open", hd, posA)
		}
	}
	all := readAllTo(ctx, t, s, head, 100, end.Position)
	if !slices.Equal(RecordedIDs(all), want) {
		t.Errorf("ReadAll after both commits: %v, want %v", RecordedIDs(all), want)
	}
	checkStream(t, mustReadStream(ctx, t, s, streamA, 0), streamA, 1, evA)
	checkStream(t, mustReadStream(ctx, t, s, streamB, 0), streamB, 1, evB)
}

// testWritersWithSubscriber: with many writers appending concurrently (so
// commits land out of position order), a subscriber from position 0 sees
// every appended event exactly once, in strictly increasing position order.
func testWritersWithSubscriber(t *testing.T, h Harness) {
	writers, appends := 16, 200
	if testing.Short() {
		writers, appends = 8, 50
	}
	s := h.New(t)
	ctx := bounded(t, 3*time.Minute)
	sub := startSubscriber(ctx, t, s, 0)

	shared := []string{NewStream("load-shared-1"), NewStream("load-shared-2")}
	var (
		mu       sync.Mutex
		appended []event.Event
		last     int64 // the highest position an append returned
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			own := NewStream("load-own")
			for i := range appends {
				stream := own
				if i%2 == 1 {
					stream = shared[(i/2+w)%len(shared)]
				}
				evs := NewEvents(1+i%3, "load.tested")
				res, err := s.Append(ctx, stream, event.Any, evs...)
				if err != nil {
					t.Errorf("writer %d: Append to %q: %v", w, stream, err)
					return
				}
				mu.Lock()
				appended = append(appended, evs...)
				last = max(last, res.Position)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	got := sub.waitFor(t, "the subscriber to reach the last appended position", func(got []event.Recorded) bool {
		return len(got) > 0 && got[len(got)-1].Position >= last
	})

	seen := make(map[uuid.UUID]int, len(got))
	versions := map[string]int64{}
	for i, r := range got {
		if i > 0 && r.Position <= got[i-1].Position {
			t.Fatalf("Subscribe delivered position %d after %d", r.Position, got[i-1].Position)
		}
		seen[r.ID]++
		if r.Version != versions[r.Stream]+1 {
			t.Fatalf("stream %q: Subscribe delivered version %d after version %d", r.Stream, r.Version, versions[r.Stream])
		}
		versions[r.Stream] = r.Version
	}
	wrong := 0
	for _, e := range appended {
		if n := seen[e.ID]; n != 1 {
			if wrong++; wrong <= 5 {
				t.Errorf("event %s appended once, delivered %d times", e.ID, n)
			}
		}
	}
	if wrong > 5 {
		t.Errorf("... and %d more events not delivered exactly once", wrong-5)
	}
	if len(got) != len(appended) {
		t.Errorf("Subscribe delivered %d events, %d were appended", len(got), len(appended))
	}
	all := readAllTo(ctx, t, s, 0, 500, last)
	if !slices.Equal(RecordedIDs(all), RecordedIDs(got)) {
		t.Errorf("ReadAll (%d events) and Subscribe (%d events) disagree on the global order", len(all), len(got))
	}
}
