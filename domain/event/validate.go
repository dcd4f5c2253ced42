package event

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// MaxStreamLength bounds stream names; they are identifiers, not content.
const MaxStreamLength = 200

// ValidateAppend checks an append before anything is written. Every adapter
// calls it first, so that no adapter accepts what another refuses.
func ValidateAppend(stream string, expected ExpectedVersion, events []Event) error {
	if stream == "" || len(stream) > MaxStreamLength {
		return fmt.Errorf("%w: stream name must be 1 to %d bytes", ErrInvalid, MaxStreamLength)
	}
	if !expected.Valid() {
		return fmt.Errorf("%w: expected version %d", ErrInvalid, int64(expected))
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: no events", ErrInvalid)
	}
	seen := make(map[uuid.UUID]struct{}, len(events))
	for i, e := range events {
		if e.ID == uuid.Nil {
			return fmt.Errorf("%w: event %d has no id", ErrInvalid, i)
		}
		if _, dup := seen[e.ID]; dup {
			return fmt.Errorf("%w: event id %s appears twice", ErrInvalid, e.ID)
		}
		seen[e.ID] = struct{}{}
		if e.Type == "" {
			return fmt.Errorf("%w: event %d has no type", ErrInvalid, i)
		}
		if !json.Valid(e.Data) {
			return fmt.Errorf("%w: event %d (%s): payload is not valid JSON", ErrInvalid, i, e.Type)
		}
	}
	return nil
}
