package commands

import (
	"context"
	"errors"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// RegisterEmployee registers an employee at a unit. Every personal field is
// sealed under the employee's own key before it reaches an event.
type RegisterEmployee struct {
	UnitID      uuid.UUID
	Name        string
	IDNumber    string
	Phone       string
	BankAccount string
	Family      []FamilyMember
}

// RegisterEmployee needs employees.register at the unit.
func (a *App) RegisterEmployee(ctx context.Context, actor Actor, cmd RegisterEmployee) (uuid.UUID, Written, error) {
	if err := checkPersonal(cmd, a.clock.Now()); err != nil {
		return uuid.Nil, Written{}, err
	}
	id := uow.NewID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "RegisterEmployee", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermEmployeesRegister, cmd.UnitID)
		if err != nil {
			return event.Metadata{}, err
		}
		personal, err := a.seal(ctx, id, cmd)
		if err != nil {
			return event.Metadata{}, err
		}
		emp, err := org.Register(id, unit, personal, a.clock.Now())
		if err != nil {
			return event.Metadata{}, err
		}
		w.Add(emp.Stream(), emp.Changes()...)
		w.Add(unit.Stream(), unit.Changes()...)
		return meta, nil
	})
	return id, Written{pos}, err
}

// seal seals the personal fields of cmd for employee id.
func (a *App) seal(ctx context.Context, id uuid.UUID, cmd RegisterEmployee) (org.Personal, error) {
	var p org.Personal
	var err error
	sealOne := func(plain string) org.Sealed {
		if err != nil || plain == "" {
			return ""
		}
		var s string
		s, err = a.keyring.Seal(ctx, id, plain)
		return org.Sealed(s)
	}
	p.Name, p.IDNumber = sealOne(cmd.Name), sealOne(cmd.IDNumber)
	p.Phone, p.BankAccount = sealOne(cmd.Phone), sealOne(cmd.BankAccount)
	p.Family = make([]org.FamilyMember, 0, len(cmd.Family))
	for _, f := range cmd.Family {
		p.Family = append(p.Family, org.FamilyMember{Relation: f.Relation, Name: sealOne(f.Name), BirthDate: f.BirthDate})
	}
	if err != nil {
		return org.Personal{}, fmt.Errorf("seal personal data: %w", err)
	}
	return p, nil
}

// EraseEmployee erases an employee's personal data: the erasure is
// recorded, then their key is deleted. Their events stay, so money totals
// and history hold; their personal fields read back as erased.
type EraseEmployee struct {
	EmployeeID uuid.UUID
	Reason     string
	IfMatch    int64 // the employee's version the caller saw; 0: any
}

// EraseEmployee needs employees.erase at the employee's unit. Erasing again
// deletes the key again (a retry after a failed deletion) and is otherwise
// refused as invalid_state.
func (a *App) EraseEmployee(ctx context.Context, actor Actor, cmd EraseEmployee) (Written, error) {
	pos, err := a.attempt(ctx, actor, "EraseEmployee", nil, func(w *uow.Work) (event.Metadata, error) {
		emp, err := uow.LoadEmployee(ctx, w, cmd.EmployeeID)
		if err != nil {
			return event.Metadata{}, err
		}
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermEmployeesErase, emp.UnitID())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(cmd.IfMatch, emp.Stream(), emp.Version()); err != nil {
			return event.Metadata{}, err
		}
		if err := emp.Erase(unit, cmd.Reason); err != nil {
			if errors.Is(err, org.ErrErased) {
				return event.Metadata{}, errors.Join(err, a.keyring.Erase(ctx, cmd.EmployeeID))
			}
			return event.Metadata{}, err
		}
		w.Add(emp.Stream(), emp.Changes()...)
		w.Add(unit.Stream(), unit.Changes()...)
		return meta, nil
	})
	if err != nil {
		return Written{}, err
	}
	if err := a.keyring.Erase(ctx, cmd.EmployeeID); err != nil {
		return Written{}, fmt.Errorf("erasure recorded, key not yet deleted (erase again): %w", err)
	}
	return Written{pos}, nil
}
