package storetest

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// NewStream returns a stream name no other test uses: prefix, a dash and a
// fresh UUID, the shape of aidtrail's stream names (case-<uuid>).
func NewStream(prefix string) string { return prefix + "-" + uuid.NewString() }

// NewEvents returns n valid events of type typ, each with a fresh UUIDv7 id,
// a small JSON object payload numbering it ({"seq":1,"of":n,...}) and
// metadata with every field set.
func NewEvents(n int, typ string) []event.Event {
	evs := make([]event.Event, n)
	for i := range evs {
		evs[i] = NewEvent(typ, fmt.Sprintf(`{"seq":%d,"of":%d,"note":"test event"}`, i+1, n))
	}
	return evs
}

// NewEvent returns one event of type typ with payload data, a fresh UUIDv7
// id and metadata with every field set. data is used as given, so a test can
// pass a payload that is not JSON.
func NewEvent(typ, data string) event.Event {
	var raw json.RawMessage
	if data != "" {
		raw = json.RawMessage(data)
	}
	return event.Event{ID: event.NewID(), Type: typ, Data: raw, Metadata: NewMetadata()}
}

// NewMetadata returns metadata as a command by a human actor records it:
// every field set, a non-ASCII display name, and an OccurredAt in UTC with
// whole microseconds, the precision every store keeps.
func NewMetadata() event.Metadata {
	return event.Metadata{
		ActorAccountID:  "acct-" + uuid.NewString(),
		ActorName:       "王芳 (test actor)",
		ActorPositionID: "pos-" + uuid.NewString(),
		ActorUnitID:     "unit-" + uuid.NewString(),
		CommandID:       uuid.NewString(),
		CorrelationID:   uuid.NewString(),
		CausationID:     uuid.NewString(),
		OccurredAt:      time.Now().UTC().Truncate(time.Microsecond),
		SchemaVersion:   1,
	}
}

// IDs returns the ids of events, in order.
func IDs(events []event.Event) []uuid.UUID {
	ids := make([]uuid.UUID, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// RecordedIDs returns the ids of recorded events, in order.
func RecordedIDs(recs []event.Recorded) []uuid.UUID {
	ids := make([]uuid.UUID, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}
