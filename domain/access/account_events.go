package access

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of an account's stream. They are stored; never rename them.
const (
	TypeAccountOpened      = "account.opened"
	TypeAccountPasswordSet = "account.password_set"
	TypePositionAssigned   = "position.assigned"
	TypePositionVacated    = "position.vacated"
	TypeAccountClosed      = "account.closed"
)

// AccountEventTypes lists every event type an account stream may hold.
func AccountEventTypes() []string {
	return []string{TypeAccountOpened, TypeAccountPasswordSet, TypePositionAssigned, TypePositionVacated, TypeAccountClosed}
}

// AccountOpened is the payload of account.opened, the first event of an
// account stream. EmployeeID is absent for staff-only accounts.
type AccountOpened struct {
	AccountID  uuid.UUID  `json:"account_id"`
	Login      string     `json:"login"`
	Name       string     `json:"name"`
	EmployeeID *uuid.UUID `json:"employee_id,omitempty"`
}

// AccountPasswordSet is the payload of account.password_set: empty, since
// no credential ever enters the event log.
type AccountPasswordSet struct{}

// PositionAssigned is the payload of position.assigned. UnitPath lists the
// unit's ancestors, root first, at the time of assignment.
type PositionAssigned struct {
	PositionID uuid.UUID   `json:"position_id"`
	UnitID     uuid.UUID   `json:"unit_id"`
	UnitPath   []uuid.UUID `json:"unit_path"`
	Title      string      `json:"title"`
	Roles      []Role      `json:"roles"`
}

// PositionVacated is the payload of position.vacated. SuccessorAccountID
// is the account the position's open work went to, if any.
type PositionVacated struct {
	PositionID         uuid.UUID  `json:"position_id"`
	SuccessorAccountID *uuid.UUID `json:"successor_account_id,omitempty"`
	Reason             string     `json:"reason,omitempty"`
}

// AccountClosed is the payload of account.closed.
type AccountClosed struct {
	Reason string `json:"reason"`
}

// LoadAccount rebuilds account id from its whole stream, in order from
// version 1. An empty history is event.ErrNotFound; an event it cannot
// apply, of an unknown type included, is a *fault.HistoryError (fault.ErrHistory).
// Replaying checks the structure the state needs, not today's input rules.
func LoadAccount(id uuid.UUID, history []event.Recorded) (*Account, error) {
	a := &Account{id: id, Root: agg.OpenedBy(TypeAccountOpened)}
	return agg.Load(a, AccountStream(id), history, a.apply)
}

// apply changes the state by one event, for recorded and replayed events
// alike; it changes nothing when it fails.
func (a *Account) apply(typ string, data json.RawMessage) error {
	s := &a.s
	switch typ {
	case TypeAccountOpened:
		return agg.On(data, func(p AccountOpened) error {
			if p.AccountID != a.id {
				return fmt.Errorf("account_id %s is not the stream's account", p.AccountID)
			}
			*s = accountState{opened: true, login: p.Login, name: p.Name}
			if p.EmployeeID != nil {
				s.employee = *p.EmployeeID
			}
			return nil
		})
	case TypeAccountPasswordSet:
		return agg.On(data, func(AccountPasswordSet) error { s.hasPassword = true; return nil })
	case TypePositionAssigned:
		return agg.On(data, a.applyAssigned)
	case TypePositionVacated:
		return agg.On(data, func(p PositionVacated) error {
			held := a.find(p.PositionID)
			if held == nil || held.vacated {
				return fmt.Errorf("position %s is not active", p.PositionID)
			}
			held.vacated, held.vacateReason = true, p.Reason
			if p.SuccessorAccountID != nil {
				held.successor = *p.SuccessorAccountID
			}
			return nil
		})
	case TypeAccountClosed:
		return agg.On(data, func(p AccountClosed) error { s.closed, s.closeReason = true, p.Reason; return nil })
	default:
		return agg.Unknown(typ)
	}
}

func (a *Account) applyAssigned(p PositionAssigned) error {
	if p.PositionID == uuid.Nil || p.UnitID == uuid.Nil || a.find(p.PositionID) != nil {
		return errors.New("position_id or unit_id is nil, or the position exists")
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			// An unknown role would grant nothing; refusing it keeps a
			// renamed role from silently removing rights.
			return fmt.Errorf("unknown role %q", r)
		}
	}
	a.s.positions = append(a.s.positions, heldPosition{Position: Position{
		ID: p.PositionID, UnitID: p.UnitID, UnitPath: agg.NonNil(p.UnitPath), Title: p.Title, Roles: p.Roles,
	}})
	return nil
}

func fieldIndex(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }
