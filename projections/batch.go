package projections

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"

	"aidtrail/domain/event"
)

// Topic is the Watermill topic the event store's global order is published
// on, in batches.
const Topic = "aidtrail_events"

// Metadata keys of a published batch.
const (
	// MetaPrev is the position of the event before the batch's first in
	// the global order (0 for none): a projection whose checkpoint is below
	// it has missed events and reads them from the store first.
	MetaPrev = "prev_position"
	// MetaFirst and MetaLast are the positions of the batch's first and
	// last events.
	MetaFirst = "first_position"
	MetaLast  = "last_position"
)

// batch is consecutive events of the global order, as one message.
type batch struct {
	prev   int64
	events []event.Recorded
}

// encodeBatch makes the Watermill message of b: payload the JSON array of
// the events' envelopes; the UUID is derived from the positions, so that a
// batch published twice is recognisably the same.
func encodeBatch(b batch) (*message.Message, error) {
	payload, err := json.Marshal(b.events)
	if err != nil {
		return nil, fmt.Errorf("projections: encode batch after %d: %w", b.prev, err)
	}
	first, last := b.events[0].Position, b.events[len(b.events)-1].Position
	msg := message.NewMessage(fmt.Sprintf("events-%d-%d-%d", b.prev, first, last), payload)
	msg.Metadata.Set(MetaPrev, strconv.FormatInt(b.prev, 10))
	msg.Metadata.Set(MetaFirst, strconv.FormatInt(first, 10))
	msg.Metadata.Set(MetaLast, strconv.FormatInt(last, 10))
	return msg, nil
}

// decodeBatch reads a message made by encodeBatch, refusing one whose
// events are not in ascending order after prev.
func decodeBatch(msg *message.Message) (batch, error) {
	var b batch
	prev, err := strconv.ParseInt(msg.Metadata.Get(MetaPrev), 10, 64)
	if err != nil || prev < 0 {
		return b, fmt.Errorf("projections: message %s: bad %s %q", msg.UUID, MetaPrev, msg.Metadata.Get(MetaPrev))
	}
	b.prev = prev
	if err := json.Unmarshal(msg.Payload, &b.events); err != nil {
		return b, fmt.Errorf("projections: message %s: %w", msg.UUID, err)
	}
	if len(b.events) == 0 {
		return b, fmt.Errorf("projections: message %s: empty batch", msg.UUID)
	}
	at := prev
	for _, e := range b.events {
		if e.Position <= at {
			return b, fmt.Errorf("projections: message %s: position %d after %d", msg.UUID, e.Position, at)
		}
		at = e.Position
	}
	return b, nil
}
