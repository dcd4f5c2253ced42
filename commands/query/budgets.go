package query

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
)

// BudgetRow is one budget's figures, in fen.
type BudgetRow struct {
	BudgetID          uuid.UUID
	UnitID            uuid.UUID
	Year              int
	Line              string
	AllocatedFen      int64
	ReservedFen       int64
	SpentFen          int64
	AvailableFen      int64
	AllocatedPosition int64
	UpdatedPosition   int64
}

// BudgetFilter selects budgets. Zero fields do not filter, except UnitIDs
// and Within, where nil means no bound and an empty non-nil slice means
// nothing. UnitIDs bounds the budgets to these exact units; Within to the
// subtrees of these units (the units themselves and everything below
// them, as the read model knows the organisation).
type BudgetFilter struct {
	UnitIDs []uuid.UUID
	Within  []uuid.UUID
	Year    int
	Line    string
	Page
}

// Budgets lists the budgets f selects in the order they were allocated,
// within the subtrees where actor holds budgets.manage, audit.read or
// stats.read (f.Within is set here, whatever the caller gave).
func (s *Service) Budgets(ctx context.Context, actor uow.Actor, f BudgetFilter) ([]BudgetRow, int64, error) {
	scope, err := s.gate.StaffReadScope(ctx, actor, "listing budgets", access.BudgetReadPermissions()...)
	if err != nil {
		return nil, 0, err
	}
	f.Within = scope.Within()
	return s.models.Budgets(ctx, f)
}
