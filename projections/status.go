package projections

import (
	"context"
	"fmt"
	"time"

	"aidtrail/commands/query"
)

// Status is where a projection stands; the query side reports it.
type Status = query.Status

// Status reports every projection's checkpoint, lag and counters.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	head, err := r.cfg.Source.Head(ctx)
	if err != nil {
		return nil, fmt.Errorf("projections: head: %w", err)
	}
	out := make([]Status, 0, len(r.cfg.Projections))
	for _, p := range r.cfg.Projections {
		pos, err := Checkpoint(ctx, r.cfg.DB, p.Name())
		if err != nil {
			return nil, err
		}
		s := Status{Name: p.Name(), Checkpoint: pos, LagPositions: max(head-pos, 0)}
		if pos < head {
			next, err := r.cfg.Source.ReadAll(ctx, pos, 1)
			if err != nil {
				return nil, fmt.Errorf("projections: lag of %s: %w", p.Name(), err)
			}
			if len(next) == 1 {
				s.LagSeconds = max(time.Since(next[0].RecordedAt).Seconds(), 0)
			}
		}
		r.mu.Lock()
		c := r.stats[p.Name()]
		s.Applied, s.Failures, s.Stopped = c.applied, c.failures, c.stopped
		r.mu.Unlock()
		s.Counts = r.countCheck(p.Name())
		out = append(out, s)
	}
	return out, nil
}

// ErrLagging is returned by Wait when the read models did not reach the
// position in time.
var ErrLagging = query.ErrLagging

// Wait returns once the named projections of the runner (every one, when
// names is empty) have applied the event at position pos and all before
// it, or ErrLagging when ctx ends first. It wakes when this process moves
// a checkpoint and polls the database every poll for workers in other
// processes. A name the runner does not run is an error.
func (r *Runner) Wait(ctx context.Context, pos int64, poll time.Duration, names ...string) error {
	if len(names) == 0 {
		names = r.Names()
	}
	for _, n := range names {
		if _, ok := r.stats[n]; !ok {
			return fmt.Errorf("projections: wait for %q, which this runner does not run", n)
		}
	}
	for {
		r.mu.Lock()
		moved := r.moved
		r.mu.Unlock()
		reached, err := Reached(ctx, r.cfg.DB, names)
		if err != nil && ctx.Err() == nil {
			return err
		}
		if err == nil && reached >= pos {
			return nil
		}
		t := time.NewTimer(poll)
		select {
		case <-moved:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ErrLagging
		}
		t.Stop()
	}
}
