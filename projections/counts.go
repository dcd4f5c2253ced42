package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// concerns tells whether p has a use for e: a Selective projection says;
// any other has a use for every event.
func concerns(p Projection, e event.Recorded) bool {
	s, ok := p.(readmodel.Selective)
	return !ok || s.Concerns(e)
}

// addCounts adds counted (events per type) to the event counts of the
// checkpoint key, inside the transaction that moves that checkpoint, so
// that the counts cover exactly the events the checkpoint has passed.
func addCounts(ctx context.Context, tx *sqldb.Tx, key string, counted map[string]int64) error {
	if len(counted) == 0 {
		return nil
	}
	types := make([]string, 0, len(counted))
	for t := range counted {
		types = append(types, t)
	}
	slices.Sort(types) // one lock order for every writer
	var values strings.Builder
	args := []any{key}
	for i, t := range types {
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "($1, $%d, $%d)", len(args)+1, len(args)+2)
		args = append(args, t, counted[t])
	}
	_, err := tx.Exec(ctx, `INSERT INTO projection_event_counts (checkpoint, type, events) VALUES `+values.String()+`
		ON CONFLICT (checkpoint, type) DO UPDATE SET events = projection_event_counts.events + excluded.events`, args...)
	if err != nil {
		return fmt.Errorf("event counts of %s: %w", key, err)
	}
	return nil
}
