package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testOutOfOrderCommit: while an append holds a lower position open, a
// later append that committed a higher position is invisible to ReadAll,
// Head and Subscribe; once the lower one commits, both are delivered in
// position order, each once.
func testOutOfOrderCommit(t *testing.T, h Harness) {
	if h.Begin == nil {
		t.Skip("store serialises writers; commits cannot be out of order")
	}
	s := h.New(t)
	ctx := bounded(t, 2*time.Minute)
	head := mustAppend(ctx, t, s, NewStream("ooo-seed"), event.NoStream, NewEvents(2, "ooo.seed")...).Position
	sub := startSubscriber(ctx, t, s, head)

	streamA, streamB := NewStream("ooo-a"), NewStream("ooo-b")
	evA, evB := NewEvents(1, "ooo.a"), NewEvents(1, "ooo.b")
	commitA := holdAppend(ctx, t, h, s, streamA, evA...)

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
		_ = commitA()
		t.Fatalf("Append to another stream did not return while a held transaction was open: " +
			"the store serialises writers, so its harness should leave Begin nil")
	}
	if b.err != nil {
		t.Fatalf("Append of B: %v", b.err)
	}
	got := heldBack(ctx, t, s, sub, head, commitA, evA[0].ID, evB[0].ID)
	if b.res.Position != got[1].Position {
		t.Errorf("B's Append returned position %d, but B is at %d", b.res.Position, got[1].Position)
	}
	checkStream(t, mustReadStream(ctx, t, s, streamA, 0), streamA, 1, evA)
	checkStream(t, mustReadStream(ctx, t, s, streamB, 0), streamB, 1, evB)
}

// testYoungerHoldsLower is testOutOfOrderCommit with the transactions'
// ages the other way round: an older transaction (begun first) commits the
// higher position while a younger one holds the lower position open. A
// reader that waits only for transactions older than some snapshot of the
// store passes the younger one's hole.
func testYoungerHoldsLower(t *testing.T, h Harness) {
	if h.Begin == nil {
		t.Skip("store serialises writers; commits cannot be out of order")
	}
	s := h.New(t)
	ctx := bounded(t, 2*time.Minute)
	// The seed is committed through a held transaction too, so that no
	// wake-up of the store's own lands between the transactions below.
	seed := holdAppend(ctx, t, h, s, NewStream("yhl-seed"), NewEvents(2, "yhl.seed")...)
	if err := seed(); err != nil {
		t.Fatalf("commit of the seed: %v", err)
	}
	head := mustHead(ctx, t, s)
	sub := startSubscriber(ctx, t, s, head)

	streamA, streamB := NewStream("yhl-a"), NewStream("yhl-b")
	evA, evB := NewEvents(1, "yhl.a"), NewEvents(1, "yhl.b")
	older := h.Begin(ctx, t, s)
	commitB := commitOnce(t, older)
	commitA := holdAppend(ctx, t, h, s, streamA, evA...) // younger: begun second, draws first
	if err := older.Append(streamB, evB...); err != nil {
		t.Fatalf("append of B in the older transaction: %v", err)
	}
	if err := commitB(); err != nil {
		t.Fatalf("commit of the older transaction: %v", err)
	}
	heldBack(ctx, t, s, sub, head, commitA, evA[0].ID, evB[0].ID)
	checkStream(t, mustReadStream(ctx, t, s, streamA, 0), streamA, 1, evA)
	checkStream(t, mustReadStream(ctx, t, s, streamB, 0), streamB, 1, evB)
}

// heldBack checks a store in which event a holds a lower position open
// while event b, above it, has committed, and nothing else lies after
// head: for a while neither ReadAll nor the subscriber (started at head)
// delivers anything and Head stays below a's position, which it reports
// at once rather than waiting; then commitA commits a, and a, b and a
// sentinel appended afterwards are delivered in that order, each once. It
// returns the events delivered.
func heldBack(ctx context.Context, t *testing.T, s commands.EventStore, sub *subscriber, head int64, commitA func() error, a, b uuid.UUID) []event.Recorded {
	t.Helper()
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

	if err := commitA(); err != nil {
		t.Fatalf("commit of A: %v", err)
	}
	sentinel := NewEvents(1, "ooo.sentinel")
	end := mustAppend(ctx, t, s, NewStream("ooo-sentinel"), event.NoStream, sentinel...)

	got := sub.waitFor(t, "the sentinel event", func(got []event.Recorded) bool {
		return slices.ContainsFunc(got, func(r event.Recorded) bool { return r.ID == sentinel[0].ID })
	})
	want := []uuid.UUID{a, b, sentinel[0].ID}
	if !slices.Equal(RecordedIDs(got), want) {
		t.Fatalf("Subscribe delivered %v, want A, B, sentinel each once in that order: %v", RecordedIDs(got), want)
	}
	posA, posB := got[0].Position, got[1].Position
	if posA >= posB {
		t.Errorf("A at position %d, B at %d: A took its position first, so it must be lower", posA, posB)
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
	return got
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
