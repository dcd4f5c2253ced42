package projections

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Status is where a projection stands.
type Status struct {
	Name       string
	Checkpoint int64 // position of the last event applied
	// LagPositions is how far the checkpoint is behind the store's head;
	// LagSeconds how long ago the oldest event not yet applied was
	// recorded (0 when none is waiting).
	LagPositions int64
	LagSeconds   float64
	// Applied and Failures count events applied and batches failed (each
	// retry counts) by this runner since it started.
	Applied, Failures uint64
	// Stopped is why the projection stopped, nil while it runs: an event it
	// could not apply even after retries. Its checkpoint is just before that
	// event; it resumes from there when the runner is started again.
	Stopped error
	// Counts is the last self-check of the projection's applied events
	// against the log (see Runner.CheckCounts).
	Counts CountCheck
}

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
var ErrLagging = errors.New("read models are behind the requested position")

// Wait returns once every projection of the runner has applied the event
// at position pos (and all before it), or ErrLagging when ctx ends first.
// It wakes when this process moves a checkpoint and polls the database
// every poll for workers in other processes.
func (r *Runner) Wait(ctx context.Context, pos int64, poll time.Duration) error {
	for {
		r.mu.Lock()
		moved := r.moved
		r.mu.Unlock()
		reached, err := Reached(ctx, r.cfg.DB, r.Names())
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
