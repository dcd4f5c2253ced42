// Package org holds the organisation of the union: units in a tree of
// levels (bureau → station → workshop → team) and the employees registered
// at them.
//
// Aggregates here are event-sourced. State is unexported; behaviour methods
// check the rules and record past-tense events, which one apply function per
// aggregate turns into state, both when deciding and when replaying the
// stream (LoadUnit, LoadEmployee). An aggregate serves one command: load it,
// call its methods, append Changes() at the expected version Version(),
// discard it. It is not safe for concurrent use. When a method returns an
// error, discard every aggregate the operation was given: an operation that
// spans several aggregates checks everything before it records anything,
// but the caller should not rely on partial results.
//
// The package imports only the standard library, uuid and domain/event.
package org

import (
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// UnitStream names the stream of unit id: "unit-<uuid>". Stored names are
// chosen once; never change this.
func UnitStream(id uuid.UUID) string { return "unit-" + id.String() }

// ParseUnitStream returns the unit whose stream is stream, or an error.
func ParseUnitStream(stream string) (uuid.UUID, error) { return event.StreamID(stream, "unit-") }

// Unit is an organisational unit. Create one with Establish, rebuild one
// with LoadUnit; the zero value is not usable.
type Unit struct {
	id uuid.UUID
	s  unitState
	agg.Root
}

type unitState struct {
	name, code  string
	level       Level
	parent      uuid.UUID          // uuid.Nil for the root
	path        []uuid.UUID        // ancestors, root first, parent last
	children    map[uuid.UUID]bool // open children only
	employees   map[uuid.UUID]bool
	closed      bool
	closeReason string
}

// OpenWork is what keeps a unit from closing. It grows with the product
// (open cases, budget lines...); Empty stays the single test of "nothing
// open".
type OpenWork struct {
	Children  int // open child units
	Employees int // employees registered at the unit
}

// Empty reports whether nothing is open.
func (w OpenWork) Empty() bool { return w == OpenWork{} }

// ID returns the unit's id.
func (u *Unit) ID() uuid.UUID { return u.id }

// Stream returns UnitStream(u.ID()).
func (u *Unit) Stream() string { return UnitStream(u.id) }

// Name returns the current name.
func (u *Unit) Name() string { return u.s.name }

// Code returns the unit's code.
func (u *Unit) Code() string { return u.s.code }

// Level returns the unit's level.
func (u *Unit) Level() Level { return u.s.level }

// ParentID returns the parent's id, uuid.Nil for the root.
func (u *Unit) ParentID() uuid.UUID { return u.s.parent }

// Path returns a copy of the ancestors' ids, from the root to the parent;
// empty for the root.
func (u *Unit) Path() []uuid.UUID { return slices.Clone(agg.NonNil(u.s.path)) }

// Closed reports whether the unit is closed.
func (u *Unit) Closed() bool { return u.s.closed }

// Children returns the open children's ids, sorted.
func (u *Unit) Children() []uuid.UUID { return sortedKeys(u.s.children) }

// HasEmployee reports whether employee id is registered at this unit.
func (u *Unit) HasEmployee(id uuid.UUID) bool { return u.s.employees[id] }

// OpenWork reports what is still open at the unit.
func (u *Unit) OpenWork() OpenWork {
	return OpenWork{Children: len(u.s.children), Employees: len(u.s.employees)}
}

// WithinSubtreeOf reports whether this unit is ancestor itself or lies below
// it, that is whether ancestor is this unit or in its path. A role held at
// ancestor reaches this unit exactly when this is true.
func (u *Unit) WithinSubtreeOf(ancestor uuid.UUID) bool {
	return ancestor != uuid.Nil && (ancestor == u.id || slices.Contains(u.s.path, ancestor))
}

// Rename records unit.renamed. The name is trimmed and must be 1..100
// characters. Renaming to the current name records nothing.
func (u *Unit) Rename(name string) error {
	if u.s.closed {
		return ErrUnitClosed
	}
	name, err := cleanName("name", name)
	if err != nil || name == u.s.name {
		return err
	}
	return agg.Record(&u.Root, u.apply, TypeUnitRenamed, UnitRenamed{Name: name})
}

// MoveUnder records unit.moved on u alone: u now sits under newParent. Use
// Move, which also records on the old and new parents and the subtree, in a
// command. Errors: ErrUnitClosed if either is closed, *CycleError if
// newParent is u or below it, *fault.ValidationError on parent_id if u's level is
// not below newParent's. Moving under the current parent records nothing.
func (u *Unit) MoveUnder(newParent *Unit) error {
	if err := u.checkMove(newParent); err != nil || newParent.id == u.s.parent {
		return err
	}
	path := append(slices.Clone(newParent.s.path), newParent.id)
	return agg.Record(&u.Root, u.apply, TypeUnitMoved, UnitMoved{ParentID: newParent.id, Path: path})
}

func (u *Unit) checkMove(newParent *Unit) error {
	if newParent == nil {
		return invalid("parent_id", "is required")
	}
	if u.s.closed || newParent.s.closed {
		return ErrUnitClosed
	}
	if newParent.WithinSubtreeOf(u.id) {
		return &CycleError{Unit: u.id, NewParent: newParent.id}
	}
	if !u.s.level.Below(newParent.s.level) {
		return invalid("parent_id", "a %s cannot be under a %s: levels must go down", u.s.level, newParent.s.level)
	}
	return nil
}

// AddChild records unit.child_added: child, whose parent is already u, is
// now an open child of u. Establish and Move call it.
func (u *Unit) AddChild(child *Unit) error {
	switch {
	case child == nil:
		return invalid("child_id", "is required")
	case u.s.closed || child.s.closed:
		return ErrUnitClosed
	case child.s.parent != u.id:
		return inconsistent("unit %s is not under %s", child.id, u.id)
	case !child.s.level.Below(u.s.level):
		return invalid("level", "a %s cannot be under a %s: levels must go down", child.s.level, u.s.level)
	case u.s.children[child.id]:
		return inconsistent("unit %s is already a child of %s", child.id, u.id)
	}
	return agg.Record(&u.Root, u.apply, TypeUnitChildAdded, UnitChildAdded{ChildID: child.id})
}

// RemoveChild records unit.child_removed: child, an open child of u, has
// moved elsewhere or closed. Move and CloseUnit call it.
func (u *Unit) RemoveChild(child *Unit) error {
	switch {
	case child == nil:
		return invalid("child_id", "is required")
	case !u.s.children[child.id]:
		return inconsistent("unit %s is not a child of %s", child.id, u.id)
	case child.s.parent == u.id && !child.s.closed:
		return inconsistent("unit %s is still an open child of %s", child.id, u.id)
	}
	return agg.Record(&u.Root, u.apply, TypeUnitChildRemoved, UnitChildRemoved{ChildID: child.id})
}

// ChangePath records unit.path_changed when an ancestor of u has moved: u's
// path becomes its parent's current path followed by the parent. Walk the
// subtree from the top so that each parent is already up to date. Records
// nothing when the path is unchanged.
func (u *Unit) ChangePath(parent *Unit) error {
	switch {
	case parent == nil:
		return invalid("parent_id", "is required")
	case u.s.closed:
		return ErrUnitClosed
	case u.s.parent != parent.id || !parent.s.children[u.id]:
		return inconsistent("unit %s is not an open child of %s", u.id, parent.id)
	}
	path := append(slices.Clone(parent.s.path), parent.id)
	if slices.Equal(path, u.s.path) {
		return nil
	}
	return agg.Record(&u.Root, u.apply, TypeUnitPathChanged, UnitPathChanged{Path: path})
}

// JoinEmployee records unit.employee_joined. Register and Transfer call it.
func (u *Unit) JoinEmployee(employeeID uuid.UUID) error {
	switch {
	case employeeID == uuid.Nil:
		return invalid("employee_id", "is required")
	case u.s.closed:
		return ErrUnitClosed
	case u.s.employees[employeeID]:
		return inconsistent("employee %s is already at unit %s", employeeID, u.id)
	}
	return agg.Record(&u.Root, u.apply, TypeUnitEmployeeJoined, UnitEmployeeJoined{EmployeeID: employeeID})
}

// LeaveEmployee records unit.employee_left. Transfer and Erase call it.
func (u *Unit) LeaveEmployee(employeeID uuid.UUID) error {
	if !u.s.employees[employeeID] {
		return inconsistent("employee %s is not at unit %s", employeeID, u.id)
	}
	return agg.Record(&u.Root, u.apply, TypeUnitEmployeeLeft, UnitEmployeeLeft{EmployeeID: employeeID})
}

// Close records unit.closed on u alone. Use CloseUnit, which also records on
// the parent, in a command. Errors: ErrUnitClosed, *NotEmptyError while
// OpenWork is not empty, *fault.ValidationError on reason (optional, at most 500
// characters).
func (u *Unit) Close(reason string) error {
	if err := u.checkClose(); err != nil {
		return err
	}
	reason, err := cleanReason(reason, false)
	if err != nil {
		return err
	}
	return agg.Record(&u.Root, u.apply, TypeUnitClosed, UnitClosed{Reason: reason})
}

func (u *Unit) checkClose() error {
	if u.s.closed {
		return ErrUnitClosed
	}
	if w := u.OpenWork(); !w.Empty() {
		return &NotEmptyError{Unit: u.id, Work: w}
	}
	return nil
}

func sortedKeys(m map[uuid.UUID]bool) []uuid.UUID {
	ids := make([]uuid.UUID, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return ids
}

// checkPath verifies the structure of a unit's path: the ancestors from the
// root to parent, parent last, no nil or repeated id, not the unit itself,
// and no deeper than the level allows (levels go strictly down the tree).
func checkPath(self, parent uuid.UUID, path []uuid.UUID, level Level) error {
	if parent == uuid.Nil {
		if len(path) != 0 {
			return errors.New("a unit without parent has an empty path")
		}
		return nil
	}
	if len(path) == 0 || path[len(path)-1] != parent {
		return errors.New("path must end with the parent")
	}
	if len(path) > level.rank() {
		return fmt.Errorf("path of %d ancestors is too deep for level %s", len(path), level)
	}
	seen := make(map[uuid.UUID]bool, len(path))
	for _, id := range path {
		if id == uuid.Nil || id == self || seen[id] {
			return errors.New("path holds a nil, repeated or own id")
		}
		seen[id] = true
	}
	return nil
}
