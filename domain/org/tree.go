package org

import (
	"slices"

	"github.com/google/uuid"

	agg "aidtrail/domain/internal/aggregate"
)

// The functions in this file are the operations a command performs on the
// unit tree. Each touches several units, checks everything before it records
// anything, and leaves on every unit it was given the events that unit's
// stream must receive; the command appends them all in one
// event.Transaction, each stream at the version it was loaded at.

// Establish creates unit id and records unit.established on it. With a nil
// parent it is the root, which must be a bureau; otherwise it also records
// unit.child_added on parent, which must be open and of a higher level.
// The name is trimmed and must be 1..100 characters; the code is 1..32 of
// [A-Za-z0-9_-]. Codes' uniqueness spans units and is the command's to check.
func Establish(id uuid.UUID, name, code string, level Level, parent *Unit) (*Unit, error) {
	if id == uuid.Nil {
		return nil, invalid("id", "is required")
	}
	name, err := cleanName("name", name)
	if err != nil {
		return nil, err
	}
	if err := checkCode(code); err != nil {
		return nil, err
	}
	if !level.Valid() {
		return nil, invalid("level", "must be one of bureau, station, workshop, team")
	}
	p := UnitEstablished{UnitID: id, Name: name, Code: code, Level: level, Path: []uuid.UUID{}}
	switch {
	case parent == nil && level != LevelBureau:
		return nil, invalid("parent_id", "is required for a %s: only the bureau is the root", level)
	case parent == nil:
	case parent.s.closed:
		return nil, ErrUnitClosed
	case parent.id == id:
		return nil, invalid("parent_id", "is the unit itself")
	case !level.Below(parent.s.level):
		return nil, invalid("level", "a %s cannot be under a %s: levels must go down", level, parent.s.level)
	default:
		p.ParentID = &parent.id
		p.Path = append(slices.Clone(parent.s.path), parent.id)
	}
	u := &Unit{id: id, Root: agg.OpenedBy(TypeUnitEstablished)}
	if err := agg.Record(&u.Root, u.apply, TypeUnitEstablished, p); err != nil {
		return nil, err
	}
	if parent != nil {
		if err := parent.AddChild(u); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Move moves u from its parent from to the unit to, with its whole subtree.
// descendants must be exactly the open units below u (any order; the
// command loads them by walking Children from u). It records unit.moved on
// u, unit.child_removed on from, unit.child_added on to, and
// unit.path_changed on every descendant. Moving under the current parent
// records nothing.
//
// Errors: ErrUnitClosed, *CycleError (to is u or below it),
// *fault.ValidationError on parent_id (the level rule), ErrInconsistent (from is
// not u's parent, descendants is not u's subtree).
func Move(u, from, to *Unit, descendants []*Unit) error {
	if u == nil || from == nil {
		return invalid("id", "unit and its current parent are required")
	}
	if err := u.checkMove(to); err != nil {
		return err
	}
	if from.id != u.s.parent || !from.s.children[u.id] {
		return inconsistent("unit %s is not an open child of %s", u.id, from.id)
	}
	if to.id == from.id {
		return nil
	}
	order, err := subtreeOrder(u, descendants)
	if err != nil {
		return err
	}
	if err := u.MoveUnder(to); err != nil {
		return err
	}
	if err := to.AddChild(u); err != nil {
		return err
	}
	if err := from.RemoveChild(u); err != nil {
		return err
	}
	for _, pc := range order {
		if err := pc.child.ChangePath(pc.parent); err != nil {
			return err
		}
	}
	return nil
}

type parentChild struct{ parent, child *Unit }

// subtreeOrder pairs every descendant of u with its parent, parents before
// children, and checks that descendants is exactly u's open subtree.
func subtreeOrder(u *Unit, descendants []*Unit) ([]parentChild, error) {
	byID := make(map[uuid.UUID]*Unit, len(descendants))
	for _, d := range descendants {
		if d == nil || byID[d.id] != nil || d.id == u.id {
			return nil, inconsistent("descendants hold a nil, repeated or the moved unit")
		}
		byID[d.id] = d
	}
	var order []parentChild
	queue := []*Unit{u}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, id := range parent.Children() {
			child := byID[id]
			if child == nil {
				return nil, inconsistent("descendant %s of unit %s is missing", id, u.id)
			}
			if child.s.parent != parent.id || child.s.closed {
				return nil, inconsistent("unit %s is not an open child of %s", id, parent.id)
			}
			order = append(order, parentChild{parent: parent, child: child})
			queue = append(queue, child)
		}
	}
	if len(order) != len(byID) {
		return nil, inconsistent("descendants hold units outside the subtree of %s", u.id)
	}
	return order, nil
}

// CloseUnit closes u and, unless u is the root (parent nil), records
// unit.child_removed on its parent. Errors: ErrUnitClosed, *NotEmptyError
// while u has open work (see OpenWork), *fault.ValidationError on reason,
// ErrInconsistent if parent is not u's parent.
func CloseUnit(u, parent *Unit, reason string) error {
	if u == nil {
		return invalid("id", "is required")
	}
	if err := u.checkClose(); err != nil {
		return err
	}
	switch {
	case parent == nil && u.s.parent != uuid.Nil:
		return inconsistent("unit %s has a parent, none was given", u.id)
	case parent != nil && (parent.id != u.s.parent || !parent.s.children[u.id]):
		return inconsistent("unit %s is not an open child of %s", u.id, parent.id)
	}
	if _, err := cleanReason(reason, false); err != nil {
		return err
	}
	if err := u.Close(reason); err != nil {
		return err
	}
	if parent != nil {
		return parent.RemoveChild(u)
	}
	return nil
}
