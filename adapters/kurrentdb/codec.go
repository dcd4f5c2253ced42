package kurrentdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"aidtrail/domain/event"
)

// envelope is the custom metadata of a log event: where the event stands
// in aidtrail (its stream and version) and aidtrail's own metadata.
type envelope struct {
	Stream   string         `json:"aidtrail_stream"`
	Version  int64          `json:"aidtrail_version"`
	Metadata event.Metadata `json:"metadata"`
}

// encode makes the log event of e, version version of stream.
func encode(stream string, version int64, e event.Event) (esdb.EventData, error) {
	custom, err := json.Marshal(envelope{Stream: stream, Version: version, Metadata: e.Metadata})
	if err != nil {
		return esdb.EventData{}, fmt.Errorf("encode the envelope of %s: %w", e.ID, err)
	}
	return esdb.EventData{EventID: e.ID, EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: custom}, nil
}

// stored is a log event read back as an aidtrail event.
type stored struct{ rec event.Recorded }

// decode reads a log event back into an aidtrail event.
func decode(re *esdb.RecordedEvent) (stored, error) {
	var env envelope
	if err := json.Unmarshal(re.UserMetadata, &env); err != nil {
		return stored{}, fmt.Errorf("log event %d (%s): envelope: %w", re.EventNumber, re.EventID, err)
	}
	if env.Stream == "" || env.Version < 1 {
		return stored{}, fmt.Errorf("log event %d (%s): no aidtrail stream and version", re.EventNumber, re.EventID)
	}
	if re.Position.Commit > math.MaxInt64 {
		// Servers before EventStoreDB 22.10 leave the $all position out of
		// stream reads (all bits set); the global order needs it.
		return stored{}, fmt.Errorf("log event %d (%s): the server reports no $all position on stream reads; KurrentDB or EventStoreDB 22.10 or later is needed", re.EventNumber, re.EventID)
	}
	return stored{rec: event.Recorded{
		ID: re.EventID, Stream: env.Stream, Version: env.Version, Position: int64(re.Position.Commit),
		Type: re.EventType, Data: json.RawMessage(re.Data), Metadata: env.Metadata, RecordedAt: re.CreatedDate.UTC(),
	}}, nil
}

// same reports whether a stored event is e, appended to stream: same id,
// stream, type, payload (JSON compared as values) and metadata.
func (s stored) same(stream string, e event.Event) bool {
	was, err1 := json.Marshal(s.rec.Metadata)
	now, err2 := json.Marshal(e.Metadata)
	return err1 == nil && err2 == nil && s.rec.ID == e.ID && s.rec.Stream == stream && s.rec.Type == e.Type &&
		event.SameJSON(s.rec.Data, e.Data) && bytes.Equal(was, now)
}
