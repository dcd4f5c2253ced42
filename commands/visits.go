package commands

import (
	"context"
	"slices"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/visit"
)

// Condolence visits (F15, 慰问): registered by station staff after the
// day, charged to a budget, corrected only by an event that says why.

// RegisterVisit registers a visit made by UnitID, charged to BudgetID.
type RegisterVisit struct {
	UnitID   uuid.UUID
	BudgetID uuid.UUID
	visit.Details
}

// RegisterVisit needs visits.register at the visit's unit, which must be
// open. Every employee visited must be registered, not erased, and in the
// unit's subtree; every visitor must be an account. The budget is the one
// the union chose to pay the visit, of any budget line: it must belong to
// the unit or one of its ancestors and be of the visit's year. The visit's
// total is charged to it in the same transaction, under the same rule as
// a case's reservation: above what is available it is a
// *budget.ExceededError and nothing is written. Concurrent visits and
// approvals on one budget are kept apart by the budget stream's expected
// version, so it is never overspent.
func (a *App) RegisterVisit(ctx context.Context, actor Actor, cmd RegisterVisit) (uuid.UUID, Written, error) {
	id := uow.NewID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "RegisterVisit", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermVisitsRegister, cmd.UnitID)
		if err != nil {
			return event.Metadata{}, err
		}
		if unit.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		v, err := visit.Register(id, unit.ID(), cmd.BudgetID, cmd.Details, a.clock.Now())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := checkVisited(ctx, w, unit, v.Details(), nil); err != nil {
			return event.Metadata{}, err
		}
		// Last, so that the budget's lock is held for the least time.
		b, err := visitBudget(ctx, w, unit, cmd.BudgetID, v.Details().Year())
		if err != nil {
			return event.Metadata{}, err
		}
		if v.TotalFen() > 0 {
			if err := b.Charge(id, v.TotalFen()); err != nil {
				return event.Metadata{}, err
			}
		}
		w.Add(v.Stream(), v.Changes()...)
		w.Add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	if err != nil {
		return uuid.Nil, Written{}, err
	}
	return id, Written{pos}, nil
}

// CorrectVisit replaces fields of a registered visit, for a reason.
type CorrectVisit struct {
	VisitID uuid.UUID
	visit.Correction
	Reason  string
	IfMatch int64 // the visit's version the caller saw (its ETag); 0: any
}

// CorrectVisit needs visits.register at the visit's unit. Employees and
// visitors the correction adds are checked as RegisterVisit checks them;
// a new day must stay in the budget's year. A higher total charges the
// difference to the visit's budget (above what is available it is a
// *budget.ExceededError and nothing is written), a lower one refunds it,
// for the correction's reason.
func (a *App) CorrectVisit(ctx context.Context, actor Actor, cmd CorrectVisit) (Written, error) {
	pos, err := a.attempt(ctx, actor, "CorrectVisit", nil, func(w *uow.Work) (event.Metadata, error) {
		v, err := uow.LoadVisit(ctx, w, cmd.VisitID)
		if err != nil {
			return event.Metadata{}, err
		}
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermVisitsRegister, v.UnitID())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(cmd.IfMatch, v.Stream(), v.Version()); err != nil {
			return event.Metadata{}, err
		}
		before := v.Details()
		delta, err := v.Correct(cmd.Correction, cmd.Reason, a.clock.Now())
		if err != nil {
			return event.Metadata{}, err
		}
		after := v.Details()
		if err := checkVisited(ctx, w, unit, after, &before); err != nil {
			return event.Metadata{}, err
		}
		w.Add(v.Stream(), v.Changes()...)
		if delta == 0 && after.VisitedOn == before.VisitedOn {
			return meta, nil // the budget is not read, so other visits' charges do not conflict
		}
		b, err := visitBudget(ctx, w, unit, v.BudgetID(), after.Year())
		if err != nil {
			return event.Metadata{}, err
		}
		switch {
		case delta > 0:
			err = b.Charge(v.ID(), delta)
		case delta < 0:
			err = b.Refund(v.ID(), -delta, cmd.Reason)
		}
		if err != nil {
			return event.Metadata{}, err
		}
		w.Add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// checkVisited refuses employees and visitors d names that a visit by
// unit may not: an employee not registered, erased or outside the unit's
// subtree, a visitor who is no account. When was is set (a correction),
// only the ids it did not name are checked: a visit stays correctable
// after an employee it named is erased or moved away.
func checkVisited(ctx context.Context, w *uow.Work, unit *org.Unit, d visit.Details, was *visit.Details) error {
	units := map[uuid.UUID]*org.Unit{unit.ID(): unit}
	for _, id := range d.EmployeeIDs {
		if was != nil && slices.Contains(was.EmployeeIDs, id) {
			continue
		}
		emp, err := uow.LoadEmployee(ctx, w, id)
		if err != nil {
			return notFoundAs(err, "employee_ids", "names an employee not registered: "+id.String())
		}
		if emp.Erased() {
			return &fault.ValidationError{Field: "employee_ids", Reason: "names an erased employee: " + id.String()}
		}
		at := units[emp.UnitID()]
		if at == nil {
			if at, err = uow.LoadUnit(ctx, w, emp.UnitID()); err != nil {
				return err
			}
			units[at.ID()] = at
		}
		if !at.WithinSubtreeOf(unit.ID()) {
			return &fault.ValidationError{Field: "employee_ids", Reason: "names an employee outside the visiting unit: " + id.String()}
		}
	}
	for _, id := range d.Visitors {
		if was != nil && slices.Contains(was.Visitors, id) {
			continue
		}
		history, err := w.Load(ctx, access.AccountStream(id))
		if err != nil {
			return err
		}
		if len(history) == 0 {
			return &fault.ValidationError{Field: "visitors", Reason: "names no account: " + id.String()}
		}
	}
	return nil
}

// visitBudget loads the budget a visit by unit in year is charged to,
// refusing one of another year or of a unit neither unit nor above it.
func visitBudget(ctx context.Context, w *uow.Work, unit *org.Unit, id uuid.UUID, year int) (*budget.Budget, error) {
	b, err := w.LoadBudgetAggregate(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "budget_id", "names no budget")
	}
	if !unit.WithinSubtreeOf(b.UnitID()) {
		return nil, &fault.ValidationError{Field: "budget_id", Reason: "is not the budget of the visiting unit or of a unit above it"}
	}
	if b.Year() != year {
		return nil, &fault.ValidationError{Field: "budget_id", Reason: "is a budget of another year than the visit's"}
	}
	return b, nil
}

// notFoundAs turns ErrNotFound, for an id a command's body names, into a
// *fault.ValidationError on field: the request is wrong, not its path.
func notFoundAs(err error, field, reason string) error {
	if isNotFound(err) {
		return &fault.ValidationError{Field: field, Reason: reason}
	}
	return err
}
