package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

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
		if !utf8.Valid(e.Data) {
			return fmt.Errorf("%w: event %d (%s): payload is not valid UTF-8", ErrInvalid, i, e.Type)
		}
		if hasNUL(e.Data) {
			return fmt.Errorf("%w: event %d (%s): payload contains a NUL character", ErrInvalid, i, e.Type)
		}
		if e.Metadata.hasNUL() {
			return fmt.Errorf("%w: event %d (%s): metadata holds a NUL character or invalid UTF-8", ErrInvalid, i, e.Type)
		}
	}
	return nil
}

// hasNUL reports whether a valid JSON document has a string or key holding
// U+0000. No field of aidtrail needs one, and PostgreSQL's jsonb cannot store
// it, so every store refuses it alike.
func hasNUL(doc []byte) bool {
	if !bytes.Contains(doc, []byte(`\u0000`)) {
		return false // the cheap, usual case: no escape that could be NUL
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return true
		}
	}
}

func (m Metadata) hasNUL() bool {
	for _, f := range []string{m.ActorAccountID, m.ActorName, m.ActorPositionID, m.ActorUnitID, m.CommandID, m.CorrelationID, m.CausationID} {
		if strings.ContainsRune(f, 0) || !utf8.ValidString(f) {
			return true
		}
	}
	return false
}
