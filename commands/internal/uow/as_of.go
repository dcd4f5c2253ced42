package uow

import (
	"time"

	"aidtrail/domain/event"
)

// AsOf is a moment of the history a read looks back to: the state after
// the event at Position, or after the last event recorded at or before
// Time. Zero fields do not bound; both set, the earlier wins; the zero
// AsOf is now.
type AsOf struct {
	Position int64
	Time     time.Time
}

// Now reports whether m asks for the present state.
func (m AsOf) Now() bool { return m.Position == 0 && m.Time.IsZero() }

// Cut returns the part of a stream's history, in order, that had been
// recorded at m.
func (m AsOf) Cut(history []event.Recorded) []event.Recorded {
	for i, e := range history {
		if m.Position > 0 && e.Position > m.Position || !m.Time.IsZero() && e.RecordedAt.After(m.Time) {
			return history[:i]
		}
	}
	return history
}
