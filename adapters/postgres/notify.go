package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/adapters/internal/subscription"
	"aidtrail/domain/event"
)

// Wake-ups. The events table is the truth; notices only shorten the wait of
// subscribers, which also poll. This process's subscribers are woken
// directly after each commit. Other processes learn of new events through
// LISTEN/NOTIFY, sent outside the append's transaction by one background
// sender that coalesces the notices of concurrent appends: a NOTIFY inside
// the append would take PostgreSQL's database-wide notify lock at every
// commit and serialise the appends it must not serialise.

// committed records that an append has committed.
func (s *Store) committed() {
	s.wake.Broadcast()
	select {
	case s.notify <- struct{}{}:
	default: // a notice is already due; it will cover this append too
	}
}

// noticeInterval is the least time between two notices: under load, one
// notice covers all the commits of an interval, and the server spends its
// time on appends rather than on notices. It bounds the extra delay other
// processes' subscribers see.
const noticeInterval = 5 * time.Millisecond

// sendNotices sends one NOTIFY for each burst of commits until ctx ends.
func (s *Store) sendNotices(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.notify:
		}
		// A lost notice only delays other processes until their next poll.
		_, _ = s.pool.Exec(ctx, "SELECT pg_notify($1, '')", s.channel)
		select {
		case <-ctx.Done():
			return
		case <-time.After(noticeInterval):
		}
	}
}

// listen turns notices from other processes into local wake-ups until ctx
// ends, reconnecting with a bounded backoff when the connection drops.
// While it cannot listen, subscribers still see new events within their
// poll interval, only later; so a failure is logged as a warning (the
// first, then the 2nd, 4th, 8th ... in a row, so that a long outage does
// not flood the log), and listening again after failures is logged too.
func (s *Store) listen(ctx context.Context) {
	backoff := 100 * time.Millisecond
	failures := 0
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, func() {
			if failures > 0 {
				s.log.Info("event store: listening for other processes' appends again", "channel", s.channel, "after_failures", failures)
			}
			failures, backoff = 0, 100*time.Millisecond
		})
		if ctx.Err() != nil {
			return
		}
		failures++
		if failures&(failures-1) == 0 { // a power of two
			s.log.Warn("event store: cannot listen for other processes' appends; subscribers poll every second meanwhile",
				"channel", s.channel, "failures_in_a_row", failures, "retry_in", backoff.String(), "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listenOnce listens on one connection until it fails, calling listening
// once the LISTEN has taken effect.
func (s *Store) listenOnce(ctx context.Context, listening func()) error {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// A connection that has listened is not returned to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	listening()
	s.wake.Broadcast() // events may have arrived while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		s.wake.Broadcast()
	}
}

// Subscribe implements commands.EventStore.
func (s *Store) Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error {
	return subscription.Run(ctx, subscription.Config{}, s.readSafe, s.wake, after, fn)
}
