// Package reservation claims unique names: a unit code, a login, the root
// of the organisation, a budget per unit, year and line, the budget that
// reserved a case's money, an employee's own account. A claim is a stream
// of its own whose first event names its owner; a command creates it in
// its transaction, with the expected version "no stream", so of two
// commands that claim one name the second's commit fails. Claims are
// never released: a closed unit's code stays taken.
package reservation

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// TypeReserved is the one event of a claim's stream.
const TypeReserved = "name.reserved"

// Reserved is the payload of TypeReserved.
type Reserved struct {
	Owner uuid.UUID `json:"owner"`
}

// Event returns the event that claims a name for owner.
func Event(owner uuid.UUID) event.Event {
	data, _ := json.Marshal(Reserved{Owner: owner}) // a struct of one UUID always encodes
	return event.Event{ID: event.NewID(), Type: TypeReserved, Data: data}
}

// OwnerOf returns the owner a claim's stream names; ok is false for a
// stream with no events (the name is free).
func OwnerOf(history []event.Recorded) (owner uuid.UUID, ok bool, err error) {
	if len(history) == 0 {
		return uuid.Nil, false, nil
	}
	first := history[0]
	var r Reserved
	if first.Type != TypeReserved {
		return uuid.Nil, false, fmt.Errorf("%s at position %d: a claim's stream starts with %s", first.Type, first.Position, TypeReserved)
	}
	if err := json.Unmarshal(first.Data, &r); err != nil || r.Owner == uuid.Nil {
		return uuid.Nil, false, fmt.Errorf("%s at position %d: no owner (%v)", first.Type, first.Position, err)
	}
	return r.Owner, true, nil
}

// The names that are claimed, as streams.

// RootStream claims the root of the organisation for its unit.
const RootStream = "root"

// UnitCodeStream claims a unit code for its unit.
func UnitCodeStream(code string) string { return "unit-code-" + code }

// LoginStream claims a login for its account.
func LoginStream(login string) string { return "login-" + login }

// AllocationStream claims a unit's budget for a year and line: one
// budget each.
func AllocationStream(unit uuid.UUID, year int, line string) string {
	return "allocation-" + unit.String() + "-" + strconv.Itoa(year) + "-" + line
}

// CaseBudgetStream claims, for a case, the budget that reserved its
// approved amount.
func CaseBudgetStream(caseID uuid.UUID) string { return "case-budget-" + caseID.String() }

// EmployeeAccountStream claims an employee's own account: one at most.
func EmployeeAccountStream(employee uuid.UUID) string {
	return "employee-account-" + employee.String()
}
