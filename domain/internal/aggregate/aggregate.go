// Package aggregate holds what every aggregate of the domain shares: the
// events it has recorded since it was loaded, and the replay of a stream
// through the aggregate's one apply function.
package aggregate

import (
	"encoding/json"
	"fmt"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// Apply changes an aggregate's state by one event. It must leave the state
// untouched when it fails.
type Apply func(typ string, data json.RawMessage) error

// Changes are the events an aggregate has recorded since it was loaded.
// Aggregates keep them in an unexported field, so that only their own
// behaviour methods record.
type Changes struct {
	events []event.Event
}

// Record marshals payload, lets apply change the state from those exact
// bytes (so that deciding and replaying go through one code path), and
// keeps the event for the append.
func (c *Changes) Record(apply Apply, typ string, payload any) error {
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s: %w", typ, err)
	}
	if err := apply(typ, data); err != nil {
		return fmt.Errorf("apply %s: %w", typ, err)
	}
	c.events = append(c.events, event.Event{ID: event.NewID(), Type: typ, Data: data})
	return nil
}

// Pending returns the events recorded since loading, not yet stored.
func (c *Changes) Pending() []event.Event {
	if len(c.events) == 0 {
		return nil
	}
	return append([]event.Event(nil), c.events...)
}

// Replay applies history, which must be the whole stream from version 1 in
// order, and returns its version. An empty history is event.ErrNotFound;
// an event that cannot be applied is a *fault.HistoryError.
func Replay(stream string, history []event.Recorded, apply Apply) (int64, error) {
	fail := func(rec event.Recorded, err error) error {
		return &fault.HistoryError{Stream: stream, Version: rec.Version, Type: rec.Type, Err: err}
	}
	if len(history) == 0 {
		return 0, fmt.Errorf("%w: %s", event.ErrNotFound, stream)
	}
	for i, rec := range history {
		switch {
		case rec.Stream != stream:
			return 0, fail(rec, fmt.Errorf("event belongs to stream %q", rec.Stream))
		case rec.Version != int64(i+1):
			return 0, fail(rec, fmt.Errorf("expected version %d: history must be whole and in order", i+1))
		}
		if err := apply(rec.Type, rec.Data); err != nil {
			return 0, fail(rec, err)
		}
	}
	return history[len(history)-1].Version, nil
}

// Decode reads an event payload. Unknown fields are ignored so that a
// later, richer shape still reads.
func Decode(data json.RawMessage, into any) error {
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}
