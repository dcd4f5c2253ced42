package access

import (
	"slices"

	"github.com/google/uuid"
)

// UnitRef describes a target unit for authorisation and assignment: its
// id, its ancestors from the root to its parent (current, as loaded from the
// unit's stream in the same command), and whether it is closed.
type UnitRef struct {
	ID     uuid.UUID
	Path   []uuid.UUID
	Closed bool
}

// UnitView is what RefOf needs of a unit; *org.Unit satisfies it.
type UnitView interface {
	ID() uuid.UUID
	Path() []uuid.UUID
	Closed() bool
}

// RefOf describes u as a UnitRef.
func RefOf(u UnitView) UnitRef { return UnitRef{ID: u.ID(), Path: u.Path(), Closed: u.Closed()} }

// Grant is the authority a permitted command acts under: the position, its
// unit, and the role that grants the permission. The command stamps them
// into the metadata of the events it writes (actor_position_id,
// actor_unit_id).
type Grant struct {
	PositionID uuid.UUID
	UnitID     uuid.UUID
	Role       Role
}

// Authorize decides whether the account may use p at target. It may when an
// active position sits at target or at one of its ancestors and carries a
// role granting p. When several qualify it returns the one whose unit is
// closest to target; among those, the earliest assigned; within a
// position, the first granting role in the order of Roles(). The answer
// depends only on the account's state and target, so it is deterministic.
//
// Otherwise the error is a *ForbiddenError (ErrForbidden): always for a
// closed account, an unknown permission or a nil target.
func (a *Account) Authorize(p Permission, target UnitRef) (Grant, error) {
	forbid := func(reason string) (Grant, error) {
		return Grant{}, &ForbiddenError{Permission: p, Unit: target.ID, Reason: reason}
	}
	switch {
	case !p.Valid():
		return forbid("unknown permission")
	case a.s.closed || !a.s.opened:
		return forbid("account is closed")
	case target.ID == uuid.Nil:
		return forbid("no target unit")
	}
	best, bestDistance := Grant{}, -1
	for _, held := range a.s.positions {
		if held.vacated {
			continue
		}
		d := distance(held.UnitID, target)
		if d < 0 || bestDistance >= 0 && d >= bestDistance {
			continue
		}
		i := slices.IndexFunc(held.Roles, func(r Role) bool { return RoleGrants(r, p) })
		if i < 0 {
			continue
		}
		best, bestDistance = Grant{PositionID: held.ID, UnitID: held.UnitID, Role: held.Roles[i]}, d
	}
	if bestDistance < 0 {
		return forbid("no active position grants it at this unit or above")
	}
	return best, nil
}

// distance is 0 when unit is the target, n when it is the target's n-th
// ancestor, -1 when it is neither.
func distance(unit uuid.UUID, target UnitRef) int {
	if unit == target.ID {
		return 0
	}
	for i := len(target.Path) - 1; i >= 0; i-- {
		if target.Path[i] == unit {
			return len(target.Path) - i
		}
	}
	return -1
}

// IsEmployee reports whether the account belongs to employee id: the basis
// of self-service (an employee reads and applies for their own cases, and
// nobody else's). A closed account belongs to no one.
func (a *Account) IsEmployee(id uuid.UUID) bool {
	return !a.s.closed && id != uuid.Nil && a.s.employee == id
}
