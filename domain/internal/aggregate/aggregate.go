// Package aggregate holds what every aggregate of the domain shares (Root):
// its stream version, the events it has recorded since it was loaded, and
// the replay of a stream through the aggregate's one apply function.
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

// Root is what every aggregate embeds: the version of its stream as loaded
// (0 for an aggregate created in this command) and the events recorded
// since. Its methods Version and Changes become the aggregate's. Recording
// and loading go through this package's functions, which only the
// domain's packages can call, so that an aggregate records only through
// its own behaviour methods.
type Root struct {
	version int64
	changes []event.Event
	opening string // see OpenedBy
}

// OpenedBy returns the Root of an aggregate whose stream opens with an
// event of type opening, the event that creates it: recording or
// replaying any other type first, or opening a second time, is refused
// before the aggregate's apply sees the event. An aggregate with no such
// event embeds the zero Root.
func OpenedBy(opening string) Root { return Root{opening: opening} }

// applyNext applies the event that follows those r holds, once the rule
// OpenedBy sets admits its type.
func (r *Root) applyNext(apply Apply, typ string, data json.RawMessage) error {
	if r.opening != "" {
		switch first := r.version == 0 && len(r.changes) == 0; {
		case first && typ != r.opening:
			return fmt.Errorf("the stream's first event must be %s", r.opening)
		case !first && typ == r.opening:
			return fmt.Errorf("%s after the stream's first event", typ)
		}
	}
	return apply(typ, data)
}

// Version returns the stream version the aggregate was loaded at, 0 for one
// created in this command: the expected version for appending Changes.
func (r *Root) Version() int64 { return r.version }

// Changes returns the events recorded since loading, with ids and JSON
// payloads and empty metadata, for the command to stamp and append.
func (r *Root) Changes() []event.Event {
	if len(r.changes) == 0 {
		return nil
	}
	return append([]event.Event(nil), r.changes...)
}

// Record marshals payload, lets apply change the state from those exact
// bytes (so that deciding and replaying go through one code path), and
// keeps the event in r for the append.
func Record(r *Root, apply Apply, typ string, payload any) error {
	e, err := event.New(typ, payload)
	if err != nil {
		return err
	}
	if err := r.applyNext(apply, typ, e.Data); err != nil {
		return fmt.Errorf("apply %s: %w", typ, err)
	}
	r.changes = append(r.changes, e)
	return nil
}

// rooted is an aggregate: a pointer to a struct that embeds Root.
type rooted interface{ root() *Root }

func (r *Root) root() *Root { return r }

// Load applies history, which must be the whole stream from version 1 in
// order, to the fresh aggregate a through its apply, sets a's version to
// the last event's and returns a. On an error it returns the zero value
// (nil): an empty history is event.ErrNotFound, an event that cannot be
// applied is a *fault.HistoryError.
func Load[A rooted](a A, stream string, history []event.Recorded, apply Apply) (A, error) {
	if len(history) == 0 {
		var none A
		return none, fmt.Errorf("%w: %s", event.ErrNotFound, stream)
	}
	if err := Continue(a.root(), stream, history, apply); err != nil {
		var none A
		return none, err
	}
	return a, nil
}

// Continue applies more, the events of stream that follow r's version in
// order, and moves r's version to the last of them; an event that cannot be
// applied, or that does not follow on, is a *fault.HistoryError, and r's
// version then stays where the last applied event left it.
func Continue(r *Root, stream string, more []event.Recorded, apply Apply) error {
	for _, rec := range more {
		fail := func(err error) error {
			return &fault.HistoryError{Stream: stream, Version: rec.Version, Type: rec.Type, Err: err}
		}
		switch {
		case rec.Stream != stream:
			return fail(fmt.Errorf("event belongs to stream %q", rec.Stream))
		case rec.Version != r.version+1:
			return fail(fmt.Errorf("expected version %d: history must be whole and in order", r.version+1))
		}
		if err := r.applyNext(apply, rec.Type, rec.Data); err != nil {
			return fail(err)
		}
		r.version = rec.Version
	}
	return nil
}

// NonNil returns s, or an empty slice when s is nil, so that a list in an
// aggregate's state is never nil: the state decided and the state replayed
// from the same events then compare equal, and the list marshals as [].
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// On decodes data, an event's payload, as a P and hands it to apply: the
// step every event type's case of an aggregate's apply starts with. A
// payload that does not decode is refused before apply runs, so the state
// stays untouched.
func On[P any](data json.RawMessage, apply func(P) error) error {
	var p P
	if err := Decode(data, &p); err != nil {
		return err
	}
	return apply(p)
}

// Unknown is the refusal of an event type the aggregate does not know:
// replaying never skips one, so that no state is rebuilt from part of the
// history.
func Unknown(typ string) error { return fmt.Errorf("%w %q", fault.ErrUnknownEvent, typ) }

// Decode reads an event payload. Unknown fields are ignored so that a
// later, richer shape still reads.
func Decode(data json.RawMessage, into any) error {
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("decode payload: %w", err)
	}
	return nil
}
