package org

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// recorder holds what every aggregate here shares: the version its stream
// was loaded at and the events recorded since.
type recorder struct {
	version int64
	changes []event.Event
}

// record marshals payload, lets apply change the state from those exact
// bytes (so that deciding and replaying go through one code path), and
// keeps the event for the append. apply must leave the state untouched when
// it fails.
func (r *recorder) record(apply func(string, json.RawMessage) error, typ string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("org: encode %s: %w", typ, err)
	}
	if err := apply(typ, data); err != nil {
		return fmt.Errorf("org: apply %s: %w", typ, err)
	}
	r.changes = append(r.changes, event.Event{ID: event.NewID(), Type: typ, Data: data})
	return nil
}

func (r *recorder) pending() []event.Event {
	if len(r.changes) == 0 {
		return nil
	}
	return append([]event.Event(nil), r.changes...)
}

// replay applies history, which must be the whole stream from version 1 in
// order. An empty history is event.ErrNotFound; anything that cannot be
// applied is a *HistoryError.
func replay(stream string, history []event.Recorded, apply func(string, json.RawMessage) error) (int64, error) {
	if len(history) == 0 {
		return 0, fmt.Errorf("%w: %s", event.ErrNotFound, stream)
	}
	for i, rec := range history {
		fail := func(err error) (int64, error) {
			return 0, &HistoryError{Stream: stream, Version: rec.Version, Type: rec.Type, Err: err}
		}
		if rec.Stream != stream {
			return fail(fmt.Errorf("event belongs to stream %q", rec.Stream))
		}
		if rec.Version != int64(i+1) {
			return fail(fmt.Errorf("expected version %d: history must be whole and in order", i+1))
		}
		if err := apply(rec.Type, rec.Data); err != nil {
			return fail(err)
		}
	}
	return history[len(history)-1].Version, nil
}

// decode reads an event payload. Unknown fields are ignored so that a later,
// richer shape still reads.
func decode(data json.RawMessage, into any) error {
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

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
