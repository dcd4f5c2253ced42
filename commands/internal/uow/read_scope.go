package uow

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/domain/access"
)

// ReadScope is what an actor may see in lists and figures built from read
// models: everything in the subtrees of Units and, for an account linked
// to an employee record, that employee's own cases.
type ReadScope struct {
	// Everything is set for the bootstrap administrator, who acts for the
	// root until one is appointed.
	Everything bool
	Units      []uuid.UUID // roots of the visible subtrees
	Employee   uuid.UUID   // the actor's own employee record, or uuid.Nil
}

// Within is what a list read in the scope is bounded to: the roots of the
// visible subtrees, or nil (no bound) where the scope is Everything.
func (s ReadScope) Within() []uuid.UUID {
	if s.Everything {
		return nil
	}
	return s.Units
}

// Empty reports whether the scope shows nothing at all.
func (s ReadScope) Empty() bool { return !s.Everything && len(s.Units) == 0 && s.Employee == uuid.Nil }

// ReadScope returns where the actor may read: the units of its active
// positions with a role granting any of perms, from the account's current
// stream (never from a read model, which may lag a vacated position). An
// actor who may read nothing at all is refused, and the refusal is
// recorded like every other; reason says what was being read.
func (a *Gate) ReadScope(ctx context.Context, actor Actor, reason string, perms ...access.Permission) (ReadScope, error) {
	return a.readScope(ctx, actor, reason, true, perms)
}

// StaffReadScope is ReadScope for what only staff positions show (money
// of units, statistics): an employee's own record counts for nothing, so
// an employee's account without such a position is refused, on the record.
func (a *Gate) StaffReadScope(ctx context.Context, actor Actor, reason string, perms ...access.Permission) (ReadScope, error) {
	return a.readScope(ctx, actor, reason, false, perms)
}

// QuietScope is StaffReadScope without the refusal: an actor who may read
// nothing gets an empty scope and no record, for a query that tries a
// wider right before a narrower one and records only the final refusal.
func (a *Gate) QuietScope(ctx context.Context, actor Actor, perms ...access.Permission) (ReadScope, error) {
	return a.scopeOf(ctx, actor, false, perms)
}

func (a *Gate) readScope(ctx context.Context, actor Actor, reason string, own bool, perms []access.Permission) (ReadScope, error) {
	scope, err := a.scopeOf(ctx, actor, own, perms)
	if err != nil {
		return ReadScope{}, err
	}
	if scope.Empty() {
		return ReadScope{}, a.Denied(ctx, actor, perms[0], nil, reason)
	}
	return scope, nil
}

// scopeOf computes the scope, empty when the actor may read nothing.
func (a *Gate) scopeOf(ctx context.Context, actor Actor, own bool, perms []access.Permission) (ReadScope, error) {
	if actor.Bootstrap {
		ended, err := a.BootstrapEnded(ctx)
		if err != nil {
			return ReadScope{}, err
		}
		return ReadScope{Everything: !ended}, nil
	}
	account, err := a.LoadAccount(ctx, NewWork(a.store), actor.AccountID)
	if err != nil {
		return ReadScope{}, err
	}
	var scope ReadScope
	if !account.Closed() {
		if own {
			scope.Employee, _ = account.EmployeeID()
		}
		for _, p := range account.ActivePositions() {
			if grantsAny(p.Roles, perms) {
				scope.Units = append(scope.Units, p.UnitID)
			}
		}
	}
	return scope, nil
}

func grantsAny(roles []access.Role, perms []access.Permission) bool {
	for _, r := range roles {
		for _, p := range perms {
			if access.RoleGrants(r, p) {
				return true
			}
		}
	}
	return false
}
