package org

import (
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of an employee's stream. They are stored; never rename them.
const (
	TypeEmployeeRegistered     = "employee.registered"
	TypeEmployeeTransferred    = "employee.transferred"
	TypeEmployeeDetailsChanged = "employee.details_changed"
	TypeEmployeeErased         = "employee.erased"
)

// EmployeeEventTypes lists every event type an employee stream may hold.
func EmployeeEventTypes() []string {
	return []string{TypeEmployeeRegistered, TypeEmployeeTransferred, TypeEmployeeDetailsChanged, TypeEmployeeErased}
}

// EmployeeRegistered is the payload of employee.registered, the first event
// of an employee stream. Every personal field is Sealed.
type EmployeeRegistered struct {
	EmployeeID  uuid.UUID      `json:"employee_id"`
	UnitID      uuid.UUID      `json:"unit_id"`
	Name        Sealed         `json:"name"`
	IDNumber    Sealed         `json:"id_number"`
	Phone       Sealed         `json:"phone"`
	BankAccount Sealed         `json:"bank_account"`
	Family      []FamilyMember `json:"family"`
}

// EmployeeTransferred is the payload of employee.transferred: the employee
// is now at UnitID.
type EmployeeTransferred struct {
	UnitID uuid.UUID `json:"unit_id"`
}

// EmployeeDetailsChanged is the payload of employee.details_changed. Absent
// fields are unchanged; a present family replaces the whole list.
type EmployeeDetailsChanged struct {
	Phone       *Sealed         `json:"phone,omitempty"`
	BankAccount *Sealed         `json:"bank_account,omitempty"`
	Family      *[]FamilyMember `json:"family,omitempty"`
}

// EmployeeErased is the payload of employee.erased.
type EmployeeErased struct {
	Reason string `json:"reason"`
}

// LoadEmployee rebuilds employee id from its whole stream, in order from
// version 1. An empty history is event.ErrNotFound; an event it cannot
// apply, of an unknown type included, is a *fault.HistoryError (fault.ErrHistory).
func LoadEmployee(id uuid.UUID, history []event.Recorded) (*Employee, error) {
	e := &Employee{id: id, Root: agg.OpenedBy(TypeEmployeeRegistered)}
	return agg.Load(e, EmployeeStream(id), history, e.apply)
}

// apply changes the state by one event, for recorded and replayed events
// alike; it changes nothing when it fails.
func (e *Employee) apply(typ string, data json.RawMessage) error {
	s := &e.s
	switch typ {
	case TypeEmployeeRegistered:
		return agg.On(data, func(p EmployeeRegistered) error {
			if p.EmployeeID != e.id || p.UnitID == uuid.Nil {
				return errors.New("employee_id is not the stream's employee, or unit_id is nil")
			}
			*s = employeeState{unit: p.UnitID, personal: Personal{
				Name: p.Name, IDNumber: p.IDNumber, Phone: p.Phone, BankAccount: p.BankAccount,
				Family: agg.NonNil(p.Family),
			}}
			return nil
		})
	case TypeEmployeeTransferred:
		return agg.On(data, func(p EmployeeTransferred) error {
			if p.UnitID == uuid.Nil {
				return errors.New("unit_id is nil")
			}
			s.unit = p.UnitID
			return nil
		})
	case TypeEmployeeDetailsChanged:
		return agg.On(data, func(p EmployeeDetailsChanged) error {
			if p.Phone != nil {
				s.personal.Phone = *p.Phone
			}
			if p.BankAccount != nil {
				s.personal.BankAccount = *p.BankAccount
			}
			if p.Family != nil {
				s.personal.Family = agg.NonNil(*p.Family)
			}
			return nil
		})
	case TypeEmployeeErased:
		return agg.On(data, func(p EmployeeErased) error {
			s.erased, s.eraseReason = true, p.Reason
			s.personal = Personal{Family: []FamilyMember{}}
			return nil
		})
	default:
		return agg.Unknown(typ)
	}
}
