package access

import (
	"encoding/json"
	"errors"

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

var errNotStarted = errors.New("the stream's first event must be account.opened")
