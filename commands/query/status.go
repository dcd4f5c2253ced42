package query

import (
	"errors"
	"fmt"
)

// ErrLagging is returned by Progress.Wait when the read models did not
// reach the position in time.
var ErrLagging = errors.New("read models are behind the requested position")

// Status is where one read model stands.
type Status struct {
	Name       string
	Checkpoint int64 // position of the last event applied
	// LagPositions is how far the checkpoint is behind the store's head;
	// LagSeconds how long ago the oldest event not yet applied was
	// recorded (0 when none is waiting).
	LagPositions int64
	LagSeconds   float64
	// Applied and Failures count events applied and batches failed (each
	// retry counts) by this process since it started.
	Applied, Failures uint64
	// Stopped is why the read model stopped, nil while it runs: an event
	// it could not apply even after retries. Its checkpoint is just before
	// that event; it resumes from there when it is started again.
	Stopped error
	// Counts is the last self-check of the events applied against the log.
	Counts CountCheck
}

// CountCheck is the result of the last self-check of one read model.
type CountCheck struct {
	// At is the checkpoint the counts were compared at; 0 before the first
	// check.
	At         int64
	Mismatches []CountMismatch
}

// CountMismatch is an event type of which a read model has applied a
// different number of events than the log holds (of those it concerns) up
// to its checkpoint: events were lost on their way to it, or applied
// twice. Either is a defect; a rebuild repairs the read model.
type CountMismatch struct {
	Type    string
	Applied int64 // events of Type the read model counted as applied
	Logged  int64 // events of Type the log holds up to the checkpoint
}

func (m CountMismatch) String() string {
	return fmt.Sprintf("%s: applied %d, logged %d", m.Type, m.Applied, m.Logged)
}
