package query

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
)

// BudgetView is a budget as a query returns it. Available is Allocated −
// Reserved − Spent.
type BudgetView struct {
	ID        uuid.UUID
	UnitID    uuid.UUID
	Year      int
	Line      string
	Allocated int64
	Reserved  int64
	Spent     int64
	Available int64
	Version   int64
}

// GetBudget returns budget id to an actor with budgets.manage, audit.read or
// stats.read at its unit.
func (s *Service) GetBudget(ctx context.Context, actor uow.Actor, id uuid.UUID) (BudgetView, error) {
	return s.GetBudgetAsOf(ctx, actor, id, uow.AsOf{})
}

// GetBudgetAsOf returns the budget as it stood at the moment at, folded
// from its history and its spending up to then, to whoever may read it
// now (GetBudget); a budget not yet allocated then is uow.ErrNotFound.
func (s *Service) GetBudgetAsOf(ctx context.Context, actor uow.Actor, id uuid.UUID, at uow.AsOf) (BudgetView, error) {
	w := uow.NewWork(s.store)
	b, unit, err := uow.LoadBudget(ctx, w, id)
	if err != nil {
		return BudgetView{}, err
	}
	if err := s.gate.AuthorizeAny(ctx, w, actor, unit, access.BudgetReadPermissions()...); err != nil {
		return BudgetView{}, err
	}
	b, err = asItStood(ctx, w, at, b, budget.Stream(id), fmt.Sprintf("budget %s was not allocated yet then", id), func(history []event.Recorded) (*budget.Budget, error) {
		return budget.LoadBudget(id, history)
	})
	if err != nil {
		return BudgetView{}, err
	}
	spent, err := s.spentThrough(ctx, id, at)
	if err != nil {
		return BudgetView{}, err
	}
	return BudgetView{
		ID: b.ID(), UnitID: b.UnitID(), Year: b.Year(), Line: b.Line(),
		Allocated: b.Allocated(), Reserved: b.Reserved() - spent, Spent: b.Spent() + spent, Available: b.Available(),
		Version: b.Version(),
	}, nil
}

// spentThrough sums the budget's spending stream up to at: confirmed
// payments, which the budget's own stream still counts as reserved.
func (s *Service) spentThrough(ctx context.Context, id uuid.UUID, at uow.AsOf) (int64, error) {
	history, err := s.store.ReadStream(ctx, budget.SpendingStream(id), 1)
	history = at.Cut(history)
	if errors.Is(err, event.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	total, _, err := budget.Spending(history)
	return total, err
}
