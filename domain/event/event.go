// Package event defines the envelope every fact in aidtrail is recorded in,
// the expected-version rules of an append, and the errors an event store
// reports. It is the contract between the domain, the command handlers, the
// projections and every event-store adapter.
package event

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Event is a fact about to be appended to a stream. The store assigns the
// stream version, the global position and the recording time.
//
// ID is chosen by the writer (a UUIDv7 from NewID, so ids sort by time) and
// makes the append idempotent: appending an event whose ID is already stored
// is a no-op when the stored event is identical and ErrDuplicateEvent when it
// differs.
type Event struct {
	ID       uuid.UUID
	Type     string          // stable name such as "case.submitted"
	Data     json.RawMessage // the payload: a JSON value, usually an object
	Metadata Metadata
}

// Recorded is an event as the store holds it.
type Recorded struct {
	ID         uuid.UUID
	Stream     string
	Version    int64 // 1 for the first event of a stream, then 2, 3, ...
	Position   int64 // place in the global order; increasing, not gapless
	Type       string
	Data       json.RawMessage
	Metadata   Metadata
	RecordedAt time.Time // set by the store, UTC
}

// Metadata says who caused an event, in which capacity and why. It is stored
// beside the payload as a JSON object.
type Metadata struct {
	// ActorAccountID is the account whose command wrote the event; empty for
	// events written by the system itself (migrations, scheduled jobs).
	ActorAccountID string `json:"actor_account_id,omitempty"`
	// ActorName is the actor's display name at that moment, kept so that a
	// trail stays readable after the account is renamed.
	ActorName string `json:"actor_name,omitempty"`
	// ActorPositionID and ActorUnitID are the position whose rights the
	// command used and the unit that position is at.
	ActorPositionID string `json:"actor_position_id,omitempty"`
	ActorUnitID     string `json:"actor_unit_id,omitempty"`
	// CommandID identifies the command; it is the Idempotency-Key when the
	// caller sent one.
	CommandID     string    `json:"command_id,omitempty"`
	CorrelationID string    `json:"correlation_id,omitempty"`
	CausationID   string    `json:"causation_id,omitempty"`
	OccurredAt    time.Time `json:"occurred_at"`
	// SchemaVersion is the version of the payload's shape for this Type; 0
	// and 1 both mean the first shape.
	SchemaVersion int `json:"schema_version,omitempty"`
}

// NewID returns a new event id. UUIDv7 ids sort by creation time, which
// keeps the id index compact.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}

// Appended reports where an append landed. A retried append that the store
// recognises as already done reports the same values as the first.
type Appended struct {
	Version  int64 // the stream's version after the append: that of its last event
	Position int64 // the global position of the append's last event
}

// StreamID reads the id of a stream named prefix + id (canonical UUID
// text), as the domain's stream names are built; anything else is an
// error naming the stream.
func StreamID(stream, prefix string) (uuid.UUID, error) {
	rest, ok := strings.CutPrefix(stream, prefix)
	id, err := uuid.Parse(rest)
	if !ok || err != nil || prefix+id.String() != stream {
		return uuid.Nil, fmt.Errorf("stream %q is not a %s stream", stream, strings.TrimSuffix(prefix, "-"))
	}
	return id, nil
}

// New returns an event of type typ with payload encoded as JSON and a
// fresh id: the one encoder of the domain's typed payloads.
func New(typ string, payload any) (Event, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	return Event{ID: NewID(), Type: typ, Data: data}, nil
}

// Decode reads e's payload into v (a pointer to the payload type of e's
// type): the one decoder of stored payloads. The error names the event.
// Unknown fields are ignored, so that a later, richer shape still reads.
func Decode(e Recorded, v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%s at position %d (%s version %d): %w", e.Type, e.Position, e.Stream, e.Version, err)
	}
	return nil
}
