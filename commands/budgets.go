package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

// Budgets (F11, dynamic control of funds): the money a unit may spend on
// aid, one budget per unit, year and budget line.

// AllocateBudget creates the budget of a unit for a year and a budget line.
type AllocateBudget struct {
	UnitID    uuid.UUID
	Year      int
	Line      string
	AmountFen int64
}

// AllocateBudget creates the budget of unit for year and line with
// amountFen. It needs budgets.manage at the unit. A second budget for the
// same unit, year and line is fault.ErrConflict (raise the first instead), also
// when both are allocated at once: exactly one commits.
func (a *App) AllocateBudget(ctx context.Context, actor Actor, cmd AllocateBudget) (uuid.UUID, Written, error) {
	unitID, year, line, amountFen := cmd.UnitID, cmd.Year, cmd.Line, cmd.AmountFen
	id := uow.NewID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "AllocateBudget", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermBudgetsManage, unitID)
		if err != nil {
			return event.Metadata{}, err
		}
		if unit.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		b, err := budget.Allocate(id, unitID, year, line, amountFen)
		if err != nil {
			return event.Metadata{}, err
		}
		what := fmt.Sprintf("the %d budget of line %s at unit %s", year, line, unitID)
		if err := reserve(ctx, w, reservation.AllocationStream(unitID, year, line), what, id); err != nil {
			return event.Metadata{}, err
		}
		w.Add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	if err != nil {
		return uuid.Nil, Written{}, err
	}
	return id, Written{pos}, nil
}

// IncreaseBudget allocates more money to a budget, for a reason.
type IncreaseBudget struct {
	BudgetID  uuid.UUID
	AmountFen int64
	Reason    string
	IfMatch   int64 // the budget's version the caller saw (its ETag); 0: any
}

// IncreaseBudget allocates cmd.AmountFen more to the budget. It needs
// budgets.manage at the budget's unit.
func (a *App) IncreaseBudget(ctx context.Context, actor Actor, cmd IncreaseBudget) (Written, error) {
	id, amountFen, reason, ifMatchVersion := cmd.BudgetID, cmd.AmountFen, cmd.Reason, cmd.IfMatch
	pos, err := a.attempt(ctx, actor, "IncreaseBudget", nil, func(w *uow.Work) (event.Metadata, error) {
		b, unit, err := uow.LoadBudget(ctx, w, id)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermBudgetsManage, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(ifMatchVersion, b.Stream(), b.Version()); err != nil {
			return event.Metadata{}, err
		}
		if err := b.Increase(amountFen, reason); err != nil {
			return event.Metadata{}, err
		}
		w.Add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}
