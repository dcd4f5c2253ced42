package org

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// EmployeeStream names the stream of employee id: "employee-<uuid>".
// Stored names are chosen once; never change this.
func EmployeeStream(id uuid.UUID) string { return "employee-" + id.String() }

// ParseEmployeeStream returns the employee whose stream is stream, or an
// error.
func ParseEmployeeStream(stream string) (uuid.UUID, error) {
	return event.StreamID(stream, "employee-")
}

// Employee is a union member (职工), the fifth level of the organisation,
// registered at one unit at a time. Create one with Register, rebuild one
// with LoadEmployee; the zero value is not usable.
type Employee struct {
	id uuid.UUID
	s  employeeState
	agg.Root
}

type employeeState struct {
	unit        uuid.UUID
	personal    Personal
	erased      bool
	eraseReason string
}

// Personal is what registering an employee records about them. Name and
// IDNumber are required; Phone and BankAccount may be empty (not known
// yet). Every personal field is Sealed.
type Personal struct {
	Name        Sealed
	IDNumber    Sealed
	Phone       Sealed
	BankAccount Sealed
	Family      []FamilyMember
}

func (p Personal) check(now time.Time) error {
	if err := p.Name.check("name", true); err != nil {
		return err
	}
	if err := p.IDNumber.check("id_number", true); err != nil {
		return err
	}
	if err := p.Phone.check("phone", false); err != nil {
		return err
	}
	if err := p.BankAccount.check("bank_account", false); err != nil {
		return err
	}
	return checkFamily(p.Family, now)
}

// DetailsChange lists the details to replace; nil fields stay as they are.
// A non-nil Family replaces the whole list (an empty list clears it).
type DetailsChange struct {
	Phone       *Sealed
	BankAccount *Sealed
	Family      *[]FamilyMember
}

// ID returns the employee's id.
func (e *Employee) ID() uuid.UUID { return e.id }

// Stream returns EmployeeStream(e.ID()).
func (e *Employee) Stream() string { return EmployeeStream(e.id) }

// UnitID returns the unit the employee is registered at.
func (e *Employee) UnitID() uuid.UUID { return e.s.unit }

// Personal returns the sealed personal data, with a copy of the family
// list; all empty once the employee is erased.
func (e *Employee) Personal() Personal {
	p := e.s.personal
	p.Family = slices.Clone(p.Family)
	return p
}

// Erased reports whether the employee's personal data is erased.
func (e *Employee) Erased() bool { return e.s.erased }

// Register records employee.registered on a new employee and
// unit.employee_joined on unit, which must be open. now is the moment of the
// command (the domain never reads the clock); birth dates must not be after
// its date. Uniqueness of the ID number spans employees and is the
// command's to check (on a keyed hash, since the domain sees only
// ciphertext).
func Register(id uuid.UUID, unit *Unit, p Personal, now time.Time) (*Employee, error) {
	switch {
	case id == uuid.Nil:
		return nil, invalid("id", "is required")
	case unit == nil:
		return nil, invalid("unit_id", "is required")
	case unit.s.closed:
		return nil, ErrUnitClosed
	case unit.s.employees[id]:
		return nil, inconsistent("employee %s is already at unit %s", id, unit.id)
	}
	if err := p.check(now); err != nil {
		return nil, err
	}
	e := &Employee{id: id, Root: agg.OpenedBy(TypeEmployeeRegistered)}
	err := agg.Record(&e.Root, e.apply, TypeEmployeeRegistered, EmployeeRegistered{
		EmployeeID: id, UnitID: unit.id, Name: p.Name, IDNumber: p.IDNumber,
		Phone: p.Phone, BankAccount: p.BankAccount, Family: agg.NonNil(p.Family),
	})
	if err != nil {
		return nil, err
	}
	if err := unit.JoinEmployee(id); err != nil {
		return nil, err
	}
	return e, nil
}

// Transfer moves the employee from the unit from, where they are, to the
// unit to, which must be open: employee.transferred on e,
// unit.employee_left on from, unit.employee_joined on to. Transferring to
// the current unit records nothing.
func (e *Employee) Transfer(from, to *Unit) error {
	switch {
	case e.s.erased:
		return ErrErased
	case from == nil || from.id != e.s.unit || !from.s.employees[e.id]:
		return inconsistent("employee %s is not at the unit given as current", e.id)
	case to == nil:
		return invalid("unit_id", "is required")
	case to.id == from.id:
		return nil
	case to.s.closed:
		return ErrUnitClosed
	case to.s.employees[e.id]:
		return inconsistent("employee %s is already at unit %s", e.id, to.id)
	}
	if err := agg.Record(&e.Root, e.apply, TypeEmployeeTransferred, EmployeeTransferred{UnitID: to.id}); err != nil {
		return err
	}
	if err := from.LeaveEmployee(e.id); err != nil {
		return err
	}
	return to.JoinEmployee(e.id)
}

// ChangeDetails records employee.details_changed with the fields c sets.
// At least one must be set. now bounds the family's birth dates.
func (e *Employee) ChangeDetails(c DetailsChange, now time.Time) error {
	if e.s.erased {
		return ErrErased
	}
	if c.Phone == nil && c.BankAccount == nil && c.Family == nil {
		return invalid("details", "nothing to change: give phone, bank_account or family")
	}
	p := EmployeeDetailsChanged{Phone: c.Phone, BankAccount: c.BankAccount}
	if c.Phone != nil {
		if err := c.Phone.check("phone", false); err != nil {
			return err
		}
	}
	if c.BankAccount != nil {
		if err := c.BankAccount.check("bank_account", false); err != nil {
			return err
		}
	}
	if c.Family != nil {
		if err := checkFamily(*c.Family, now); err != nil {
			return err
		}
		family := agg.NonNil(*c.Family)
		p.Family = &family
	}
	return agg.Record(&e.Root, e.apply, TypeEmployeeDetailsChanged, p)
}

// Erase records employee.erased on e and unit.employee_left on unit, where
// the employee is. The command deletes the person's key in the same
// breath: their sealed fields, in this stream and everywhere else, read back
// as erased from then on; money and history stay. reason is required.
// Nothing about an erased employee can change again (ErrErased).
func (e *Employee) Erase(unit *Unit, reason string) error {
	if e.s.erased {
		return ErrErased
	}
	if unit == nil || unit.id != e.s.unit || !unit.s.employees[e.id] {
		return inconsistent("employee %s is not at the unit given", e.id)
	}
	reason, err := cleanReason(reason, true)
	if err != nil {
		return err
	}
	if err := agg.Record(&e.Root, e.apply, TypeEmployeeErased, EmployeeErased{Reason: reason}); err != nil {
		return err
	}
	return unit.LeaveEmployee(e.id)
}
