package query

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// Erased is what a personal field reads as once its owner's key is gone.
const Erased = "[erased]"

// EmployeeView is an employee as a query returns it. Fields the caller's
// role does not need are empty and listed in Masked.
type EmployeeView struct {
	ID          uuid.UUID
	UnitID      uuid.UUID
	Name        string
	IDNumber    string
	Phone       string
	BankAccount string
	Family      []uow.FamilyMember
	Erased      bool
	Masked      []string
	Version     int64
}

// GetEmployee returns an employee: in full to those with employees.read at
// the employee's unit and to the employee's own account; without names, ID
// number, phone or bank account to those with employees.read_masked.
func (s *Service) GetEmployee(ctx context.Context, actor uow.Actor, id uuid.UUID) (EmployeeView, error) {
	return s.GetEmployeeAsOf(ctx, actor, id, uow.AsOf{})
}

// GetEmployeeAsOf returns the employee as the record stood at the moment
// at (unit, family, erasure), folded from its history up to then, to
// whoever may read it now and as now (GetEmployee); personal fields open
// with today's keys, so a person erased since reads as erased. An
// employee not yet registered then is uow.ErrNotFound.
func (s *Service) GetEmployeeAsOf(ctx context.Context, actor uow.Actor, id uuid.UUID, at uow.AsOf) (EmployeeView, error) {
	w := uow.NewWork(s.store)
	emp, unit, err := uow.LoadAt(ctx, w, id, uow.LoadEmployee)
	if err != nil {
		return EmployeeView{}, err
	}
	full, err := s.mayReadEmployee(ctx, w, actor, emp, unit)
	if err != nil {
		return EmployeeView{}, err
	}
	erasedNow := emp.Erased()
	emp, err = asItStood(ctx, w, at, emp, org.EmployeeStream(id), fmt.Sprintf("employee %s was not registered yet then", id),
		func(history []event.Recorded) (*org.Employee, error) { return org.LoadEmployee(id, history) })
	if err != nil {
		return EmployeeView{}, err
	}
	if erasedNow && !emp.Erased() {
		// The record as it stood, but its personal fields are gone today.
		v := EmployeeView{ID: emp.ID(), UnitID: emp.UnitID(), Erased: true, Version: emp.Version()}
		v.Name, v.IDNumber, v.Phone, v.BankAccount = Erased, Erased, Erased, Erased
		return v, nil
	}
	v := EmployeeView{ID: emp.ID(), UnitID: emp.UnitID(), Erased: emp.Erased(), Version: emp.Version()}
	if v.Erased {
		v.Name, v.IDNumber, v.Phone, v.BankAccount = Erased, Erased, Erased, Erased
		return v, nil
	}
	p := emp.Personal()
	if !full {
		v.Masked = []string{"name", "id_number", "phone", "bank_account", "family.name"}
		for _, f := range p.Family {
			v.Family = append(v.Family, uow.FamilyMember{Relation: f.Relation, BirthDate: f.BirthDate})
		}
		return v, nil
	}
	open := func(sealed org.Sealed) string {
		if err != nil || sealed == "" {
			return ""
		}
		plain, oErr := s.keyring.Open(ctx, id, string(sealed))
		if errors.Is(oErr, uow.ErrErased) {
			return Erased
		}
		err = oErr
		return plain
	}
	v.Name, v.IDNumber, v.Phone, v.BankAccount = open(p.Name), open(p.IDNumber), open(p.Phone), open(p.BankAccount)
	for _, f := range p.Family {
		v.Family = append(v.Family, uow.FamilyMember{Relation: f.Relation, Name: open(f.Name), BirthDate: f.BirthDate})
	}
	if err != nil {
		return EmployeeView{}, fmt.Errorf("open personal data of %s: %w", id, err)
	}
	return v, nil
}

// mayReadEmployee reports whether actor may read emp in full (true), only
// masked (false), or not at all (an error matching access.ErrForbidden).
func (s *Service) mayReadEmployee(ctx context.Context, w *uow.Work, actor uow.Actor, emp *org.Employee, unit *org.Unit) (bool, error) {
	if !actor.Bootstrap {
		account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return false, err
		}
		if account.IsEmployee(emp.ID()) {
			return true, nil
		}
		// Asked without recording: falling back to the masked view is not a refusal.
		if _, err := account.Authorize(access.PermEmployeesRead, access.RefOf(unit)); err == nil {
			return true, nil
		}
		_, err = s.gate.Authorize(ctx, w, actor, access.PermEmployeesReadMasked, unit)
		return false, err
	}
	_, err := s.gate.Authorize(ctx, w, actor, access.PermEmployeesRead, unit)
	return err == nil, err
}
