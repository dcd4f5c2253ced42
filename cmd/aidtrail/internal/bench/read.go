package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"aidtrail/domain/event"
)

// readResult is the timing of one read of the whole global order.
type readResult struct {
	events  int
	elapsed time.Duration
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
	start := time.Now()
	var res readResult
	var after int64
	for after < head {
		page, err := r.t.Store.ReadAll(ctx, after, r.cfg.ReadPage)
		if err != nil {
			return readResult{}, fmt.Errorf("read after %d: %w", after, err)
		}
		if len(page) == 0 {
			// Nothing is being written, so an empty page below the head
			// means the store's contract is broken, not that a writer is
			// in flight.
			return readResult{}, fmt.Errorf("read after %d: empty page below head %d", after, head)
		}
		res.events += len(page)
		after = page[len(page)-1].Position
	}
	res.elapsed = time.Since(start)
	return res, nil
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
