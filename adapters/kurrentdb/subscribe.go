package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"aidtrail/domain/event"
)

// Subscribe calls fn with every event with position > after, in global
// order: a catch-up subscription to $all, filtered on the server to the
// log stream (so system events never travel). It remembers where it is —
// the commit position of the last event delivered, or of the server's
// last checkpoint when that is further — and when the subscription drops
// (the node restarts, the connection breaks) it subscribes again from
// there after a pause that doubles from MinBackoff to MaxBackoff, so that
// every event is delivered once. It returns ctx.Err() when ctx ends, fn's
// error as it is when fn fails, and other errors (access refused, a
// damaged log) as they come.
func (s *Store) Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error {
	c := cursor{last: after, from: esdb.Position{Commit: uint64(max(after, 0)), Prepare: uint64(max(after, 0))}}
	pause := s.cfg.MinBackoff
	for {
		progressed, err := s.subscribeOnce(ctx, &c, fn)
		var failed *handlerError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &failed):
			return failed.err
		case !transient(err):
			return err
		}
		if progressed {
			pause = s.cfg.MinBackoff
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, s.cfg.MaxBackoff)
	}
}

// cursor is where a subscription stands: the position of the last event
// delivered (nothing at or below it is delivered again) and the $all
// position to resubscribe after.
type cursor struct {
	last int64
	from esdb.Position
}

// handlerError carries fn's error out of subscribeOnce unchanged.
type handlerError struct{ err error }

func (h *handlerError) Error() string { return h.err.Error() }

// subscribeOnce runs one subscription until it drops, ctx ends or fn
// fails. It reports whether it moved the cursor.
func (s *Store) subscribeOnce(ctx context.Context, c *cursor, fn func(context.Context, event.Recorded) error) (bool, error) {
	opts := esdb.SubscribeToAllOptions{
		From:   esdb.AllPosition(esdb.Start{}),
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Regex: "^" + regexp.QuoteMeta(s.cfg.Log) + "$"},
	}
	if c.from.Commit > 0 {
		opts.From = c.from
	}
	s.calls.RLock()
	sub, err := s.client.SubscribeToAll(ctx, opts)
	s.calls.RUnlock()
	if err != nil {
		return false, translate(err)
	}
	defer sub.Close()
	progressed := false
	for {
		msg := sub.Recv()
		switch {
		case msg.SubscriptionDropped != nil:
			return progressed, fmt.Errorf("kurrentdb: subscription dropped after position %d: %w", c.last, msg.SubscriptionDropped.Error)
		case msg.CheckPointReached != nil:
			if cp := *msg.CheckPointReached; cp.Commit > c.from.Commit {
				// Some servers report checkpoints without their prepare
				// position; outside explicit transactions it equals the
				// commit position.
				if cp.Prepare == 0 || cp.Prepare > cp.Commit {
					cp.Prepare = cp.Commit
				}
				c.from, progressed = cp, true
			}
		case msg.EventAppeared != nil && msg.EventAppeared.Event != nil:
			st, err := decode(msg.EventAppeared.Event)
			if err != nil {
				return progressed, err
			}
			if st.rec.Position <= c.last {
				continue // delivered before the subscription dropped
			}
			if err := fn(ctx, st.rec); err != nil {
				return progressed, &handlerError{err}
			}
			c.last, c.from, progressed = st.rec.Position, msg.EventAppeared.Event.Position, true
		}
	}
}
