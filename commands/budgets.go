package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

// Budgets (F11, dynamic control of funds): the money a unit may spend on
// aid, one budget per unit, year and budget line.

// AllocateBudget creates the budget of unit for year and line with
// amountFen. It needs budgets.manage at the unit. A second budget for the
// same unit, year and line is fault.ErrConflict (raise the first instead), also
// when both are allocated at once: exactly one commits.
func (a *App) AllocateBudget(ctx context.Context, actor Actor, unitID uuid.UUID, year int, line string, amountFen int64) (uuid.UUID, Written, error) {
	id := newID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "AllocateBudget", nil, func(w *work) (event.Metadata, error) {
		unit, err := loadUnit(ctx, w, unitID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.authorize(ctx, w, actor, access.PermBudgetsManage, unit)
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
		w.add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	if err != nil {
		return uuid.Nil, Written{}, err
	}
	return id, Written{pos}, nil
}

// IncreaseBudget allocates amountFen more to budget id, for reason. It
// needs budgets.manage at the budget's unit; ifMatchVersion is the budget's
// version the caller saw, 0 for any.
func (a *App) IncreaseBudget(ctx context.Context, actor Actor, id uuid.UUID, amountFen int64, reason string, ifMatchVersion int64) (Written, error) {
	pos, err := a.attempt(ctx, actor, "IncreaseBudget", nil, func(w *work) (event.Metadata, error) {
		b, unit, err := loadBudget(ctx, w, id)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.authorize(ctx, w, actor, access.PermBudgetsManage, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(ifMatchVersion, b.Stream(), b.Version()); err != nil {
			return event.Metadata{}, err
		}
		if err := b.Increase(amountFen, reason); err != nil {
			return event.Metadata{}, err
		}
		w.add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// loadBudget rebuilds budget id and its unit in w; a missing budget is
// ErrNotFound.
func loadBudget(ctx context.Context, w *work, id uuid.UUID) (*budget.Budget, *org.Unit, error) {
	b, err := w.loadBudgetAggregate(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	unit, err := loadUnit(ctx, w, b.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return b, unit, nil
}

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
func (a *App) GetBudget(ctx context.Context, actor Actor, id uuid.UUID) (BudgetView, error) {
	return a.GetBudgetAsOf(ctx, actor, id, AsOf{})
}

// GetBudgetAsOf returns the budget as it stood at the moment at, folded
// from its history and its spending up to then, to whoever may read it
// now (GetBudget); a budget not yet allocated then is ErrNotFound.
func (a *App) GetBudgetAsOf(ctx context.Context, actor Actor, id uuid.UUID, at AsOf) (BudgetView, error) {
	w := newWork(a.store)
	b, unit, err := loadBudget(ctx, w, id)
	if err != nil {
		return BudgetView{}, err
	}
	if err := a.authorizeAny(ctx, w, actor, unit, access.BudgetReadPermissions()...); err != nil {
		return BudgetView{}, err
	}
	if !at.Now() {
		history, err := w.load(ctx, budget.Stream(id))
		if err != nil {
			return BudgetView{}, err
		}
		then := at.cut(history)
		if len(then) == 0 {
			return BudgetView{}, fmt.Errorf("budget %s was not allocated yet then: %w", id, ErrNotFound)
		}
		if b, err = budget.LoadBudget(id, then); err != nil {
			return BudgetView{}, err
		}
	}
	spent, err := a.spentThrough(ctx, id, at)
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
func (a *App) spentThrough(ctx context.Context, id uuid.UUID, at AsOf) (int64, error) {
	history, err := a.store.ReadStream(ctx, budget.SpendingStream(id), 1)
	history = at.cut(history)
	if errors.Is(err, event.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	total, _, err := budget.Spending(history)
	return total, err
}

// authorizeAny admits a read by actor at unit when any of perms is granted
// there. Only the last is asked through authorize, so a refusal is
// recorded once, naming it.
func (a *App) authorizeAny(ctx context.Context, w *work, actor Actor, unit *org.Unit, perms ...access.Permission) error {
	if !actor.Bootstrap {
		account, err := a.loadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return err
		}
		for _, p := range perms[:len(perms)-1] {
			if _, err := account.Authorize(p, access.RefOf(unit)); err == nil {
				return nil
			}
		}
	}
	_, err := a.authorize(ctx, w, actor, perms[len(perms)-1], unit)
	return err
}
