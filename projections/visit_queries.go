package projections

import (
	"context"

	"aidtrail/commands/query"
	"aidtrail/projections/visits"
)

// Visits lists the condolence visits read model.
func (q Queries) Visits(ctx context.Context, f query.VisitFilter) ([]query.VisitRow, int64, error) {
	return visits.List(ctx, q.DB, f)
}
