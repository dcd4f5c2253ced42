package org

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// recorder holds the version the stream was loaded at and the events
// recorded since (domain/internal/aggregate does the work).
type recorder struct {
	version int64
	changes agg.Changes
}

// record marshals payload, applies those exact bytes through apply, and
// keeps the event for the append.
func (r *recorder) record(apply func(string, json.RawMessage) error, typ string, payload any) error {
	return r.changes.Record(apply, typ, payload)
}

func (r *recorder) pending() []event.Event { return r.changes.Pending() }

// replay rebuilds an aggregate from its whole stream; a failure is a
// *fault.HistoryError.
func replay(stream string, history []event.Recorded, apply func(string, json.RawMessage) error) (int64, error) {
	return agg.Replay(stream, history, apply)
}

func decode(data json.RawMessage, into any) error { return agg.Decode(data, into) }

var errNotStarted = errors.New("the stream's first event must create the aggregate")

// checkPath verifies the structure of a unit's path: the ancestors from the
// root to parent, parent last, no nil or repeated id, not the unit itself,
// and no deeper than the level allows (levels go strictly down the tree).
func checkPath(self, parent uuid.UUID, path []uuid.UUID, level Level) error {
	if parent == uuid.Nil {
		if len(path) != 0 {
			return errors.New("a unit without parent has an empty path")
		}
		return nil
	}
	if len(path) == 0 || path[len(path)-1] != parent {
		return errors.New("path must end with the parent")
	}
	if len(path) > level.rank() {
		return fmt.Errorf("path of %d ancestors is too deep for level %s", len(path), level)
	}
	seen := make(map[uuid.UUID]bool, len(path))
	for _, id := range path {
		if id == uuid.Nil || id == self || seen[id] {
			return errors.New("path holds a nil, repeated or own id")
		}
		seen[id] = true
	}
	return nil
}
