package access

import (
	"encoding/json"
	"errors"
	"fmt"

	"aidtrail/domain/event"
)

// recorder holds the version the stream was loaded at and the events
// recorded since. (domain/org has the same small helper; the two packages
// do not import each other.)
type recorder struct {
	version int64
	changes []event.Event
}

// record marshals payload, lets apply change the state from those exact
// bytes, and keeps the event for the append. apply must leave the state
// untouched when it fails.
func (r *recorder) record(apply func(string, json.RawMessage) error, typ string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("access: encode %s: %w", typ, err)
	}
	if err := apply(typ, data); err != nil {
		return fmt.Errorf("access: apply %s: %w", typ, err)
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

func decode(data json.RawMessage, into any) error {
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}

var errNotStarted = errors.New("the stream's first event must be account.opened")
