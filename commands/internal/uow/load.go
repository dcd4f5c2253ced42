package uow

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
)

// Loaders rebuild one aggregate from its stream into a Work, which
// remembers the version read; an aggregate that does not exist is
// ErrNotFound.

// LoadUnit rebuilds a unit in w; a missing unit is ErrNotFound.
func LoadUnit(ctx context.Context, w *Work, id uuid.UUID) (*org.Unit, error) {
	history, err := w.Load(ctx, org.UnitStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("unit %s: %w", id, ErrNotFound)
	}
	return org.LoadUnit(id, history)
}

// LoadCase rebuilds a case in w.
func LoadCase(ctx context.Context, w *Work, id uuid.UUID) (*casework.Case, error) {
	history, err := w.Load(ctx, casework.CaseStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	return casework.LoadCase(id, history)
}

// LoadCaseAt loads a case and the unit it belongs to.
func LoadCaseAt(ctx context.Context, w *Work, id uuid.UUID) (*casework.Case, *org.Unit, error) {
	c, err := LoadCase(ctx, w, id)
	if err != nil {
		return nil, nil, err
	}
	unit, err := LoadUnit(ctx, w, c.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return c, unit, nil
}

// LoadEmployee rebuilds an employee in w; a missing one is ErrNotFound.
func LoadEmployee(ctx context.Context, w *Work, id uuid.UUID) (*org.Employee, error) {
	history, err := w.Load(ctx, org.EmployeeStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("employee %s: %w", id, ErrNotFound)
	}
	return org.LoadEmployee(id, history)
}

// LoadEmployeeAt loads an employee and their unit; an erased employee
// takes no new cases.
func LoadEmployeeAt(ctx context.Context, w *Work, id uuid.UUID) (*org.Employee, *org.Unit, error) {
	emp, err := LoadEmployee(ctx, w, id)
	if err != nil {
		return nil, nil, err
	}
	if emp.Erased() {
		return nil, nil, org.ErrErased
	}
	unit, err := LoadUnit(ctx, w, emp.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return emp, unit, nil
}

// LoadPayment rebuilds a payment in w.
func LoadPayment(ctx context.Context, w *Work, id uuid.UUID) (*payment.Payment, error) {
	history, err := w.Load(ctx, payment.Stream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("payment %s: %w", id, ErrNotFound)
	}
	return payment.LoadPayment(id, history)
}

// LoadStandard rebuilds the standard with code in w; an unpublished code is
// ErrNotFound.
func LoadStandard(ctx context.Context, w *Work, code string) (*catalogue.Standard, error) {
	history, err := w.Load(ctx, catalogue.StandardStream(code))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("standard %q: %w", code, ErrNotFound)
	}
	return catalogue.LoadStandard(code, history)
}

// LoadBudget rebuilds budget id and its unit in w; a missing budget is
// ErrNotFound.
func LoadBudget(ctx context.Context, w *Work, id uuid.UUID) (*budget.Budget, *org.Unit, error) {
	b, err := w.LoadBudgetAggregate(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	unit, err := LoadUnit(ctx, w, b.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return b, unit, nil
}
