package query

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/visit"
)

// VisitRow is one condolence visit as the list has it, corrections
// applied. Employees is how many were visited; EmployeeIDs and Visitors
// are empty in a masked list.
type VisitRow struct {
	VisitID     uuid.UUID
	UnitID      uuid.UUID
	BudgetID    uuid.UUID
	Occasion    string
	VisitedOn   string
	Employees   int
	EmployeeIDs []uuid.UUID
	CashFenEach int64
	Goods       []visit.Goods
	Visitors    []uuid.UUID
	TotalFen    int64
	Corrections int
	// RegisteredPosition orders the list; UpdatedPosition is that of the
	// last event that changed the visit.
	RegisteredPosition int64
	UpdatedPosition    int64
}

// VisitFilter selects visits. Within bounds them to the subtrees of these
// units (nil: no bound; empty: nothing); Under to one more subtree;
// EmployeeID to the visits of one employee; Occasion to one occasion.
type VisitFilter struct {
	Within     []uuid.UUID
	Under      uuid.UUID
	EmployeeID uuid.UUID
	Occasion   string
	Page
}

// Visits lists the visits f selects in the order they were registered,
// within the subtrees where actor holds one of
// access.VisitReadPermissions, with the employees and visitors; failing
// those, where it holds stats.read, masked. An actor with neither is
// refused on the record. f.Within is set here, whatever the caller gave.
func (s *Service) Visits(ctx context.Context, actor uow.Actor, f VisitFilter) ([]VisitRow, int64, error) {
	within, masked, err := s.fullOrMasked(ctx, actor, "listing visits", access.VisitReadPermissions()...)
	if err != nil {
		return nil, 0, err
	}
	f.Within = within
	if masked {
		f.EmployeeID = uuid.Nil // a masked list is not searched by person
	}
	rows, next, err := s.models.Visits(ctx, f)
	if masked {
		for i := range rows {
			rows[i].EmployeeIDs, rows[i].Visitors = []uuid.UUID{}, []uuid.UUID{}
		}
	}
	return rows, next, err
}

// VisitView is one visit as GetVisit returns it, folded from its stream.
type VisitView struct {
	ID       uuid.UUID
	UnitID   uuid.UUID
	BudgetID uuid.UUID
	visit.Details
	TotalFen int64
	Version  int64
}

// GetVisit returns visit id to an actor holding one of
// access.VisitReadPermissions at its unit.
func (s *Service) GetVisit(ctx context.Context, actor uow.Actor, id uuid.UUID) (VisitView, error) {
	v, err := s.readableVisit(ctx, uow.NewWork(s.store), actor, id)
	if err != nil {
		return VisitView{}, err
	}
	return VisitView{ID: v.ID(), UnitID: v.UnitID(), BudgetID: v.BudgetID(), Details: v.Details(), TotalFen: v.TotalFen(),
		Version: v.Version()}, nil
}

// VisitReadModels is the part of ReadModels that lists visits.
type VisitReadModels interface {
	Visits(ctx context.Context, f VisitFilter) ([]VisitRow, int64, error)
}

func (noReadModels) Visits(context.Context, VisitFilter) ([]VisitRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

// VisitTrail returns a page of visit id's trail — its registration, its
// corrections and its budget's charges and refunds for it — to holders of
// one of access.VisitReadPermissions at its unit, and records the read.
func (s *Service) VisitTrail(ctx context.Context, actor uow.Actor, id uuid.UUID, f TrailFilter) ([]TrailRow, int64, error) {
	return s.trailOf(ctx, actor, "visit:"+id.String(), f, func(w *uow.Work) error {
		_, err := s.readableVisit(ctx, w, actor, id)
		return err
	})
}

// readableVisit loads visit id for actor to read: to holders of one of
// access.VisitReadPermissions at its unit.
func (s *Service) readableVisit(ctx context.Context, w *uow.Work, actor uow.Actor, id uuid.UUID) (*visit.Visit, error) {
	v, unit, err := uow.LoadAt(ctx, w, id, uow.LoadVisit)
	if err != nil {
		return nil, err
	}
	if err := s.gate.AuthorizeAny(ctx, w, actor, unit, access.VisitReadPermissions()...); err != nil {
		return nil, err
	}
	return v, nil
}
