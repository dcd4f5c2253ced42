package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"aidtrail/domain/event"
)

// readResult is the timing of one read of the whole global order through
// the store, and of the plain SELECT of the same rows (the baseline).
type readResult struct {
	events  int
	elapsed time.Duration
	plain   struct {
		rows    int
		elapsed time.Duration
	}
}

func (r readResult) plainPerSecond() float64 {
	if r.plain.elapsed <= 0 {
		return 0
	}
	return float64(r.plain.rows) / r.plain.elapsed.Seconds()
}

func (r readResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.events) / r.elapsed.Seconds()
}

const (
	fillBatch   = 500 // events per append while filling
	fillWorkers = 4
)

// measureRead fills the store up to cfg.ReadEvents events, then times
// reading the global order from position 0 in pages of cfg.ReadPage.
func (r *runner) measureRead(ctx context.Context) (readResult, error) {
	if missing := int64(r.cfg.ReadEvents) - r.appended.Load(); missing > 0 {
		fmt.Fprintf(r.cfg.Progress, "filling the store with %d more events\n", missing)
		if err := r.fill(ctx, missing); err != nil {
			return readResult{}, fmt.Errorf("fill: %w", err)
		}
	}
	head, err := r.t.Store.Head(ctx)
	if err != nil {
		return readResult{}, fmt.Errorf("head: %w", err)
	}
	fmt.Fprintf(r.cfg.Progress, "reading %d events\n", r.appended.Load())
	// The store's read and the plain SELECT alternate, three rounds each,
	// and each keeps its fastest: both meet the same caches and the same
	// drift of the machine's load.
	var res readResult
	for range readRounds {
		events, elapsed, err := r.readStore(ctx, head)
		if err != nil {
			return readResult{}, err
		}
		if res.elapsed == 0 || elapsed < res.elapsed {
			res.events, res.elapsed = events, elapsed
		}
		if r.t.PlainRead == nil {
			continue
		}
		rows, elapsed, err := r.readPlain(ctx, head)
		if err != nil {
			return readResult{}, err
		}
		if res.plain.elapsed == 0 || elapsed < res.plain.elapsed {
			res.plain.rows, res.plain.elapsed = rows, elapsed
		}
	}
	return res, nil
}

// readRounds is how many times each read of the global order is timed.
const readRounds = 3

// readStore reads the global order up to head through the store, in pages.
func (r *runner) readStore(ctx context.Context, head int64) (int, time.Duration, error) {
	start := time.Now()
	var events int
	var after int64
	for after < head {
		page, err := r.t.Store.ReadAll(ctx, after, r.cfg.ReadPage)
		if err != nil {
			return 0, 0, fmt.Errorf("read after %d: %w", after, err)
		}
		if len(page) == 0 {
			// Nothing is being written, so an empty page below the head
			// means the store's contract is broken, not that a writer is
			// in flight.
			return 0, 0, fmt.Errorf("read after %d: empty page below head %d", after, head)
		}
		events += len(page)
		after = page[len(page)-1].Position
	}
	return events, time.Since(start), nil
}

// readPlain reads the same rows with the target's plain SELECT.
func (r *runner) readPlain(ctx context.Context, head int64) (int, time.Duration, error) {
	start := time.Now()
	var rows int
	var after int64
	for after < head {
		n, last, err := r.t.PlainRead(ctx, after, r.cfg.ReadPage)
		if err != nil {
			return 0, 0, fmt.Errorf("plain read after %d: %w", after, err)
		}
		if n == 0 {
			return 0, 0, fmt.Errorf("plain read after %d: empty page below head %d", after, head)
		}
		rows += n
		after = last
	}
	return rows, time.Since(start), nil
}

// fill appends n events in batches to new streams, on a few workers.
func (r *runner) fill(ctx context.Context, n int64) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan int, fillWorkers)
	var wg sync.WaitGroup
	for range fillWorkers {
		wg.Go(func() {
			events := make([]event.Event, 0, fillBatch)
			for size := range batches {
				events = events[:0]
				for range size {
					events = append(events, r.payload.event())
				}
				if _, err := r.t.Store.Append(ctx, newStreamName(), event.NoStream, events...); err != nil {
					cancel(err)
					return
				}
				r.appended.Add(int64(size))
			}
		})
	}
send:
	for n > 0 {
		size := int(min(n, fillBatch))
		select {
		case batches <- size:
			n -= int64(size)
		case <-ctx.Done():
			break send
		}
	}
	close(batches)
	wg.Wait()
	return context.Cause(ctx)
}
