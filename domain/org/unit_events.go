package org

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of a unit's stream. They are stored; never rename them.
const (
	TypeUnitEstablished    = "unit.established"
	TypeUnitRenamed        = "unit.renamed"
	TypeUnitMoved          = "unit.moved"
	TypeUnitPathChanged    = "unit.path_changed"
	TypeUnitChildAdded     = "unit.child_added"
	TypeUnitChildRemoved   = "unit.child_removed"
	TypeUnitEmployeeJoined = "unit.employee_joined"
	TypeUnitEmployeeLeft   = "unit.employee_left"
	TypeUnitClosed         = "unit.closed"
)

// UnitEventTypes lists every event type a unit stream may hold.
func UnitEventTypes() []string {
	return []string{TypeUnitEstablished, TypeUnitRenamed, TypeUnitMoved, TypeUnitPathChanged,
		TypeUnitChildAdded, TypeUnitChildRemoved, TypeUnitEmployeeJoined, TypeUnitEmployeeLeft, TypeUnitClosed}
}

// UnitEstablished is the payload of unit.established, the first event of a
// unit stream. ParentID is absent for the root; Path lists the ancestors'
// ids from the root to the parent (empty for the root).
type UnitEstablished struct {
	UnitID   uuid.UUID   `json:"unit_id"`
	Name     string      `json:"name"`
	Code     string      `json:"code"`
	Level    Level       `json:"level"`
	ParentID *uuid.UUID  `json:"parent_id,omitempty"`
	Path     []uuid.UUID `json:"path"`
}

// UnitRenamed is the payload of unit.renamed.
type UnitRenamed struct {
	Name string `json:"name"`
}

// UnitMoved is the payload of unit.moved: the unit now sits under ParentID,
// and Path is its new list of ancestors (root to ParentID).
type UnitMoved struct {
	ParentID uuid.UUID   `json:"parent_id"`
	Path     []uuid.UUID `json:"path"`
}

// UnitPathChanged is the payload of unit.path_changed, written to every
// descendant of a moved unit: its parent is unchanged, its ancestors are not.
type UnitPathChanged struct {
	Path []uuid.UUID `json:"path"`
}

// UnitChildAdded is the payload of unit.child_added, on the parent, when a
// child is established under it or moved in.
type UnitChildAdded struct {
	ChildID uuid.UUID `json:"child_id"`
}

// UnitChildRemoved is the payload of unit.child_removed, on the parent, when
// a child moves out or closes.
type UnitChildRemoved struct {
	ChildID uuid.UUID `json:"child_id"`
}

// UnitEmployeeJoined is the payload of unit.employee_joined: the employee is
// registered at the unit or transferred into it.
type UnitEmployeeJoined struct {
	EmployeeID uuid.UUID `json:"employee_id"`
}

// UnitEmployeeLeft is the payload of unit.employee_left: the employee is
// transferred out or erased.
type UnitEmployeeLeft struct {
	EmployeeID uuid.UUID `json:"employee_id"`
}

// UnitClosed is the payload of unit.closed. Reason may be empty.
type UnitClosed struct {
	Reason string `json:"reason"`
}

// LoadUnit rebuilds unit id from its whole stream, in order from version 1.
// An empty history is event.ErrNotFound; an event it cannot apply, of an
// unknown type included, is a *fault.HistoryError (fault.ErrHistory). Replaying checks
// only the structure the state needs, not today's business rules: history
// is fact, and rules may tighten after it was written.
func LoadUnit(id uuid.UUID, history []event.Recorded) (*Unit, error) {
	u := &Unit{id: id, Root: agg.OpenedBy(TypeUnitEstablished)}
	return agg.Load(u, UnitStream(id), history, u.apply)
}

// apply changes the state by one event. It is the only code that writes
// the state, for recorded and replayed events alike, and it changes nothing
// when it fails.
func (u *Unit) apply(typ string, data json.RawMessage) error {
	s := &u.s
	switch typ {
	case TypeUnitEstablished:
		return agg.On(data, u.applyEstablished)
	case TypeUnitRenamed:
		return agg.On(data, func(p UnitRenamed) error { s.name = p.Name; return nil })
	case TypeUnitMoved:
		return agg.On(data, func(p UnitMoved) error {
			if p.ParentID == uuid.Nil {
				return errors.New("moved without parent_id")
			}
			if err := checkPath(u.id, p.ParentID, p.Path, s.level); err != nil {
				return err
			}
			s.parent, s.path = p.ParentID, p.Path
			return nil
		})
	case TypeUnitPathChanged:
		return agg.On(data, func(p UnitPathChanged) error {
			if err := checkPath(u.id, s.parent, p.Path, s.level); err != nil {
				return err
			}
			s.path = agg.NonNil(p.Path)
			return nil
		})
	case TypeUnitChildAdded, TypeUnitChildRemoved:
		// Both payloads have the one field child_id.
		return agg.On(data, func(p UnitChildAdded) error {
			if p.ChildID == uuid.Nil || p.ChildID == u.id {
				return errors.New("child_id is nil or the unit itself")
			}
			setMember(s.children, p.ChildID, typ == TypeUnitChildAdded)
			return nil
		})
	case TypeUnitEmployeeJoined, TypeUnitEmployeeLeft:
		// Both payloads have the one field employee_id.
		return agg.On(data, func(p UnitEmployeeJoined) error {
			if p.EmployeeID == uuid.Nil {
				return errors.New("employee_id is nil")
			}
			setMember(s.employees, p.EmployeeID, typ == TypeUnitEmployeeJoined)
			return nil
		})
	case TypeUnitClosed:
		return agg.On(data, func(p UnitClosed) error { s.closed, s.closeReason = true, p.Reason; return nil })
	default:
		return agg.Unknown(typ)
	}
}

func (u *Unit) applyEstablished(p UnitEstablished) error {
	if p.UnitID != u.id {
		return fmt.Errorf("unit_id %s is not the stream's unit", p.UnitID)
	}
	if !p.Level.Valid() {
		return fmt.Errorf("unknown level %q", p.Level)
	}
	parent := uuid.Nil
	if p.ParentID != nil {
		if parent = *p.ParentID; parent == uuid.Nil {
			return errors.New("parent_id is nil")
		}
	}
	if err := checkPath(u.id, parent, p.Path, p.Level); err != nil {
		return err
	}
	u.s = unitState{
		name: p.Name, code: p.Code, level: p.Level,
		parent: parent, path: agg.NonNil(p.Path),
		children: map[uuid.UUID]bool{}, employees: map[uuid.UUID]bool{},
	}
	return nil
}

// setMember adds id to set when in is true and removes it otherwise.
func setMember(set map[uuid.UUID]bool, id uuid.UUID, in bool) {
	if in {
		set[id] = true
	} else {
		delete(set, id)
	}
}
