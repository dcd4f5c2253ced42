package subscription

import (
	"context"
	"time"

	"aidtrail/domain/event"
)

// ReadFunc reads at most limit events after a position, safely (see
// commands.EventStore.ReadAll). pending reports that the read stopped before
// a position that may still commit, so the caller should read again soon
// even without a wake-up.
type ReadFunc func(ctx context.Context, after int64, limit int) (events []event.Recorded, pending bool, err error)

// Config tunes Run. Zero fields take the defaults of setDefaults.
type Config struct {
	PageSize int
	// Poll is how long an idle subscriber waits for a wake-up before it
	// reads again anyway: the store's table is the truth, and a wake-up can
	// be lost (another process crashed between its commit and its notice).
	Poll time.Duration
	// PendingRetry is how soon a subscriber reads again after a read that
	// stopped at a position still in flight.
	PendingRetry time.Duration
}

func (c *Config) setDefaults() {
	if c.PageSize <= 0 {
		c.PageSize = 1000
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.PendingRetry <= 0 {
		c.PendingRetry = 2 * time.Millisecond
	}
}

// Run delivers every event after the position after to fn, in order, until
// ctx ends or fn fails. It implements commands.EventStore.Subscribe.
func Run(ctx context.Context, cfg Config, read ReadFunc, wake *Signal, after int64, fn func(context.Context, event.Recorded) error) error {
	cfg.setDefaults()
	timer := time.NewTimer(cfg.Poll)
	defer timer.Stop()
	for {
		woken := wake.C()
		events, pending, err := read(ctx, after, cfg.PageSize)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, e := range events {
			if err := fn(ctx, e); err != nil {
				return err
			}
			after = e.Position
		}
		if len(events) == cfg.PageSize {
			continue // more may be waiting
		}
		wait := cfg.Poll
		if pending {
			wait = cfg.PendingRetry
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
		case <-timer.C:
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
