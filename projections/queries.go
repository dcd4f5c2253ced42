package projections

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/budgets"
	"aidtrail/projections/cases"
	"aidtrail/projections/inbox"
	"aidtrail/projections/payments"
	"aidtrail/projections/stats"
	"aidtrail/projections/trails"
)

// Queries reads the read models of All for the query side: it implements
// query.ReadModels over the database the projections write.
type Queries struct{ DB *sqldb.DB }

var _ query.ReadModels = Queries{}

// Cases lists the case list read model.
func (q Queries) Cases(ctx context.Context, f query.CaseFilter) ([]query.CaseRow, int64, error) {
	return cases.List(ctx, q.DB, f)
}

// Budgets lists the budgets read model.
func (q Queries) Budgets(ctx context.Context, f query.BudgetFilter) ([]query.BudgetRow, int64, error) {
	return budgets.List(ctx, q.DB, f)
}

// Inbox lists the inbox read model.
func (q Queries) Inbox(ctx context.Context, account uuid.UUID, page query.Page) ([]query.InboxRow, int64, error) {
	return inbox.List(ctx, q.DB, account, page)
}

// Payments lists the payments read model.
func (q Queries) Payments(ctx context.Context, f query.PaymentFilter) ([]query.PaymentRow, int64, error) {
	return payments.List(ctx, q.DB, f)
}

// Stats queries the statistics read model.
func (q Queries) Stats(ctx context.Context, r query.StatsRequest) ([]query.StatsRow, error) {
	return stats.Query(ctx, q.DB, r)
}

// Trail lists the money trails read model.
func (q Queries) Trail(ctx context.Context, f query.TrailFilter) ([]query.TrailRow, int64, error) {
	return trails.List(ctx, q.DB, f)
}

var _ query.Progress = (*Runner)(nil)
