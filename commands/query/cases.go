package query

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
)

// CaseRow is one case of the list.
type CaseRow struct {
	CaseID          uuid.UUID
	EmployeeID      uuid.UUID
	UnitID          uuid.UUID
	StandardCode    string
	Category        string
	Status          casework.Status
	RequestedFen    int64
	ApprovedFen     int64
	PaidFen         int64
	OpenedAt        time.Time
	OpenedPosition  int64
	UpdatedPosition int64
}

// CaseFilter selects cases. Zero fields do not filter, except Within and
// UnitIDs, where nil means no bound and an empty non-nil slice means
// nothing. Within bounds the cases to the subtrees of these units (the
// units themselves and everything below them, as the read model knows the
// organisation); UnitIDs to these exact units; Under to one more subtree.
// OpenedFrom and OpenedTo bound when the case was opened: from inclusive,
// to exclusive, either zero for no bound.
type CaseFilter struct {
	Within       []uuid.UUID
	UnitIDs      []uuid.UUID
	Under        uuid.UUID
	Status       casework.Status
	EmployeeID   uuid.UUID
	StandardCode string
	OpenedFrom   time.Time
	OpenedTo     time.Time
	Page
}

// Cases lists the cases f selects in the order they were opened, within
// what actor may read: the subtrees where it holds a case-reading role,
// or, for an employee's own account, that employee's cases alone.
// f.Within is set here, whatever the caller gave.
func (s *Service) Cases(ctx context.Context, actor uow.Actor, f CaseFilter) ([]CaseRow, int64, error) {
	scope, err := s.gate.ReadScope(ctx, actor, "listing cases", access.CaseReadPermissions()...)
	if err != nil {
		return nil, 0, err
	}
	f.Within = nil
	switch {
	case scope.Everything:
	case len(scope.Units) > 0:
		f.Within = scope.Units
	default: // an employee without a staff position: their own cases
		if f.EmployeeID != uuid.Nil && f.EmployeeID != scope.Employee {
			f.Within = []uuid.UUID{}
		}
		f.EmployeeID = scope.Employee
	}
	return s.models.Cases(ctx, f)
}
