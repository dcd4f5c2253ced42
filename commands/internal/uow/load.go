package uow

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
)

// Loaders rebuild one aggregate from its stream into a Work, which
// remembers the version read; an aggregate that does not exist is
// ErrNotFound.

// rebuild reads stream into w and folds it with load; an empty stream is
// ErrNotFound, naming what.
func rebuild[T any](ctx context.Context, w *Work, stream, what string, load func([]event.Recorded) (T, error)) (T, error) {
	history, err := w.Load(ctx, stream)
	if err != nil {
		var zero T
		return zero, err
	}
	if len(history) == 0 {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return load(history)
}

// LoadUnit rebuilds a unit in w; a missing unit is ErrNotFound.
func LoadUnit(ctx context.Context, w *Work, id uuid.UUID) (*org.Unit, error) {
	return rebuild(ctx, w, org.UnitStream(id), "unit "+id.String(), func(history []event.Recorded) (*org.Unit, error) { return org.LoadUnit(id, history) })
}

// LoadCase rebuilds a case in w.
func LoadCase(ctx context.Context, w *Work, id uuid.UUID) (*casework.Case, error) {
	return rebuild(ctx, w, casework.CaseStream(id), "case "+id.String(), func(history []event.Recorded) (*casework.Case, error) { return casework.LoadCase(id, history) })
}

// LoadAt loads aggregate id with load, then the unit it belongs to.
func LoadAt[A interface{ UnitID() uuid.UUID }](ctx context.Context, w *Work, id uuid.UUID, load func(context.Context, *Work, uuid.UUID) (A, error)) (A, *org.Unit, error) {
	var zero A
	a, err := load(ctx, w, id)
	if err != nil {
		return zero, nil, err
	}
	unit, err := LoadUnit(ctx, w, a.UnitID())
	if err != nil {
		return zero, nil, err
	}
	return a, unit, nil
}

// LoadCaseAt loads a case and the unit it belongs to.
func LoadCaseAt(ctx context.Context, w *Work, id uuid.UUID) (*casework.Case, *org.Unit, error) {
	return LoadAt(ctx, w, id, LoadCase)
}

// LoadEmployee rebuilds an employee in w; a missing one is ErrNotFound.
func LoadEmployee(ctx context.Context, w *Work, id uuid.UUID) (*org.Employee, error) {
	return rebuild(ctx, w, org.EmployeeStream(id), "employee "+id.String(), func(history []event.Recorded) (*org.Employee, error) { return org.LoadEmployee(id, history) })
}

// LoadEmployeeAt loads an employee and their unit; an erased employee
// takes no new cases.
func LoadEmployeeAt(ctx context.Context, w *Work, id uuid.UUID) (*org.Employee, *org.Unit, error) {
	return LoadAt(ctx, w, id, func(ctx context.Context, w *Work, id uuid.UUID) (*org.Employee, error) {
		emp, err := LoadEmployee(ctx, w, id)
		if err == nil && emp.Erased() {
			return nil, org.ErrErased
		}
		return emp, err
	})
}

// LoadPayment rebuilds a payment in w.
func LoadPayment(ctx context.Context, w *Work, id uuid.UUID) (*payment.Payment, error) {
	return rebuild(ctx, w, payment.Stream(id), "payment "+id.String(), func(history []event.Recorded) (*payment.Payment, error) { return payment.LoadPayment(id, history) })
}

// LoadStandard rebuilds the standard with code in w; an unpublished code is
// ErrNotFound.
func LoadStandard(ctx context.Context, w *Work, code string) (*catalogue.Standard, error) {
	return rebuild(ctx, w, catalogue.StandardStream(code), fmt.Sprintf("standard %q", code), func(history []event.Recorded) (*catalogue.Standard, error) {
		return catalogue.LoadStandard(code, history)
	})
}

// LoadBudget rebuilds budget id and its unit in w; a missing budget is
// ErrNotFound.
func LoadBudget(ctx context.Context, w *Work, id uuid.UUID) (*budget.Budget, *org.Unit, error) {
	return LoadAt(ctx, w, id, func(ctx context.Context, w *Work, id uuid.UUID) (*budget.Budget, error) {
		return w.LoadBudgetAggregate(ctx, id)
	})
}
