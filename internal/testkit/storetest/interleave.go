package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testInterleavedAppends attacks the reader's promise with the orders the
// world allows: concurrent appends of many events each, and transactions
// across streams, draw their positions row by row, so the positions of two
// appends interleave and the order in which appends begin, draw and commit
// differ in every way. Meanwhile a subscriber and a loop of ReadAll pages
// of random sizes follow the global order. Every event whose append
// returned success must reach both exactly once, in strictly increasing
// positions, and both must agree with a final read of the whole order.
//
// The interleavings this covers, each many times: an append that began
// earlier commits a higher position while one that began later holds a
// lower one open (and the reverse); a transaction across streams holds
// positions on either side of another append's; an append commits while a
// reader waits at a hole below it; holes left by appends that lose a race
// on a shared stream and never fill.
func testInterleavedAppends(t *testing.T, h Harness) {
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	s := h.New(t)
	ctx := bounded(t, 3*time.Minute)
	sub := startSubscriber(ctx, t, s, 0)
	pager := startPager(ctx, s)

	shared := []string{NewStream("il-shared-1"), NewStream("il-shared-2")}
	var (
		mu        sync.Mutex
		committed = map[uuid.UUID]bool{}
		last      int64
	)
	record := func(evs []event.Event, pos int64) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			committed[e.ID] = true
		}
		last = max(last, pos)
	}
	// Few writes at a time, started together: the hole a reader meets is
	// then often held by the youngest transaction of all, with nothing
	// younger yet ended, which is the order a reader waiting only for
	// transactions older than its snapshot gets wrong.
	rng := rand.New(rand.NewPCG(1, 9))
	for round := range rounds {
		writes := 2 + rng.IntN(3)
		together(t, writes, "a round of concurrent writes", func(i int) {
			wrng := rand.New(rand.NewPCG(uint64(round), uint64(i)))
			if err := interleavedWrite(ctx, s, wrng, shared, record); err != nil {
				t.Errorf("round %d, write %d: %v", round, i, err)
			}
		})
		if t.Failed() {
			t.FailNow()
		}
	}

	got := sub.waitFor(t, "the subscriber to reach the last committed position", func(got []event.Recorded) bool {
		return len(got) > 0 && got[len(got)-1].Position >= last
	})
	paged := pager.stopAt(t, last)
	all := readAllTo(ctx, t, s, 0, 1000, last)

	checkOnceInOrder(t, "Subscribe", got, committed)
	checkOnceInOrder(t, "a loop of ReadAll", paged, committed)
	checkOnceInOrder(t, "the final ReadAll", all, committed)
}

// interleavedWrite makes one random write: a plain append of 1 to 12
// events, to a stream of its own or (expected version Any, so it may lose
// races and leave holes) to a shared one, or a transaction across two to
// four fresh streams. It reports what committed through record.
func interleavedWrite(ctx context.Context, s commands.EventStore, rng *rand.Rand, shared []string, record func([]event.Event, int64)) error {
	switch rng.IntN(4) {
	case 0:
		var tx event.Transaction
		var all []event.Event
		for range 2 + rng.IntN(3) {
			evs := NewEvents(1+rng.IntN(6), "il.tx")
			tx.Appends = append(tx.Appends, event.StreamAppend{Stream: NewStream("il-tx"), Expected: event.NoStream, Events: evs})
			all = append(all, evs...)
		}
		res, err := s.Commit(ctx, tx)
		if err != nil {
			return fmt.Errorf("Commit across %d streams: %w", len(tx.Appends), err)
		}
		var top int64
		for _, r := range res {
			top = max(top, r.Position)
		}
		record(all, top)
		return nil
	case 1:
		evs := NewEvents(1+rng.IntN(12), "il.shared")
		stream := shared[rng.IntN(len(shared))]
		res, err := s.Append(ctx, stream, event.Any, evs...)
		if err != nil {
			return fmt.Errorf("Append to shared %q: %w", stream, err)
		}
		record(evs, res.Position)
		return nil
	default:
		evs := NewEvents(1+rng.IntN(12), "il.own")
		res, err := s.Append(ctx, NewStream("il-own"), event.NoStream, evs...)
		if err != nil {
			return fmt.Errorf("Append: %w", err)
		}
		record(evs, res.Position)
		return nil
	}
}

// checkOnceInOrder checks that got holds every committed event exactly
// once, nothing else, in strictly increasing positions.
func checkOnceInOrder(t *testing.T, reader string, got []event.Recorded, committed map[uuid.UUID]bool) {
	t.Helper()
	seen := make(map[uuid.UUID]int, len(got))
	for i, r := range got {
		if i > 0 && r.Position <= got[i-1].Position {
			t.Errorf("%s delivered position %d after %d", reader, r.Position, got[i-1].Position)
			return
		}
		seen[r.ID]++
	}
	missing, repeated, unknown := 0, 0, 0
	for id := range committed {
		switch n := seen[id]; {
		case n == 0:
			missing++
		case n > 1:
			repeated++
		}
	}
	for id := range seen {
		if !committed[id] {
			unknown++
		}
	}
	if missing+repeated+unknown > 0 {
		t.Errorf("%s: of %d committed events, %d never delivered, %d delivered more than once; %d delivered that never committed",
			reader, len(committed), missing, repeated, unknown)
	}
}

// pager follows the global order with ReadAll in pages of random sizes,
// as a projection catching up does, keeping what it reads.
type pager struct {
	mu   sync.Mutex
	got  []event.Recorded
	err  error
	stop chan int64 // the position to stop at once reached
	done chan struct{}
}

func startPager(ctx context.Context, s commands.EventStore) *pager {
	p := &pager{stop: make(chan int64, 1), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		rng := rand.New(rand.NewPCG(7, 7))
		var after int64
		target := int64(-1)
		for target < 0 || after < target {
			select {
			case target = <-p.stop:
			default:
			}
			recs, err := s.ReadAll(ctx, after, 1+rng.IntN(64))
			if err != nil {
				p.mu.Lock()
				p.err = err
				p.mu.Unlock()
				return
			}
			p.mu.Lock()
			p.got = append(p.got, recs...)
			p.mu.Unlock()
			if len(recs) > 0 {
				after = recs[len(recs)-1].Position
				continue
			}
			select {
			case <-ctx.Done():
				p.mu.Lock()
				p.err = ctx.Err()
				p.mu.Unlock()
				return
			case <-time.After(time.Duration(rng.IntN(500)) * time.Microsecond):
			}
		}
	}()
	return p
}

// stopAt lets the pager read up to position last, then returns what it
// read, failing t if it erred or did not get there within waitLimit.
func (p *pager) stopAt(t *testing.T, last int64) []event.Recorded {
	t.Helper()
	p.stop <- last
	select {
	case <-p.done:
	case <-time.After(waitLimit):
		t.Fatalf("ReadAll loop did not reach position %d within %s", last, waitLimit)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		t.Fatalf("ReadAll loop: %v", p.err)
	}
	return p.got
}
