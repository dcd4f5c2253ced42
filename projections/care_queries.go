package projections

import (
	"context"

	"aidtrail/commands/query"
	"aidtrail/projections/discovery"
	"aidtrail/projections/register"
)

// Register lists the hardship register read model.
func (q Queries) Register(ctx context.Context, f query.RegisterFilter) ([]query.RegisterRow, int64, error) {
	return register.List(ctx, q.DB, f)
}

// Discovery lists the discovery list read model.
func (q Queries) Discovery(ctx context.Context, f query.DiscoveryFilter) ([]query.DiscoveryRow, int64, error) {
	return discovery.List(ctx, q.DB, f)
}

// Profile queries the register read model's figures.
func (q Queries) Profile(ctx context.Context, r query.ProfileRequest) ([]query.ProfileRow, error) {
	return register.Profile(ctx, q.DB, r)
}

// DiscoverySummary sums up the discovery list read model.
func (q Queries) DiscoverySummary(ctx context.Context, f query.DiscoveryFilter) (query.DiscoverySummary, error) {
	return discovery.Summary(ctx, q.DB, f)
}
