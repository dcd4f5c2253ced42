package uow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// Clock tells the time; tests pass a fixed one.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Gate decides what an actor may do, on the event store's current facts
// (the account's stream, never a read model), and records every refusal.
// Commands and queries share it. It is safe for concurrent use.
type Gate struct {
	store EventStore
	clock Clock
}

// NewGate returns the gate over store; clock stamps the refusals.
func NewGate(store EventStore, clock Clock) *Gate { return &Gate{store: store, clock: clock} }

// BootstrapEnded reports whether a bureau administrator of the root has
// been appointed, which ends the bootstrap administrator's rights.
func (a *Gate) BootstrapEnded(ctx context.Context) (bool, error) {
	_, err := a.store.ReadStream(ctx, access.BootstrapStream, 1)
	switch {
	case errors.Is(err, event.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Authorize decides, on the event store's current facts, whether actor may
// use permission on target (nil: the organisation's root, for the bootstrap
// administrator establishing it). It loads the facts it relies on into w —
// the actor's account, or the bootstrap stream — so that the command
// commits only if they are unchanged: rights end exactly at the event that
// ends them. It returns the metadata every event of the command carries.
func (a *Gate) Authorize(ctx context.Context, w *Work, actor Actor, perm access.Permission, target *org.Unit) (event.Metadata, error) {
	w.Actor = actor
	meta := event.Metadata{
		CommandID: actor.CommandID, CorrelationID: actor.CorrelationID,
		OccurredAt: a.clock.Now(), SchemaVersion: 1,
	}
	if actor.Bootstrap {
		history, err := w.Load(ctx, access.BootstrapStream)
		if err != nil {
			return event.Metadata{}, err
		}
		if len(history) > 0 || !access.RoleGrants(access.RoleBureauAdmin, perm) {
			return event.Metadata{}, a.Denied(ctx, actor, perm, target, "bootstrap administrator")
		}
		meta.ActorName = "bootstrap administrator"
		if target != nil {
			meta.ActorUnitID = target.ID().String()
		}
		return meta, nil
	}
	account, err := a.LoadAccount(ctx, w, actor.AccountID)
	if err != nil {
		return event.Metadata{}, err
	}
	if target == nil {
		return event.Metadata{}, a.Denied(ctx, actor, perm, nil, "only the bootstrap administrator establishes the root")
	}
	grant, err := account.Authorize(perm, access.UnitRef{ID: target.ID(), Path: target.Path(), Closed: target.Closed()})
	if err != nil {
		if errors.Is(err, access.ErrForbidden) {
			return event.Metadata{}, a.Denied(ctx, actor, perm, target, err.Error())
		}
		return event.Metadata{}, err
	}
	meta.ActorAccountID = actor.AccountID.String()
	meta.ActorName = account.Name()
	meta.ActorPositionID = grant.PositionID.String()
	meta.ActorUnitID = grant.UnitID.String()
	return meta, nil
}

// LoadAccount loads the actor's account into w; an account that does not
// exist is ErrUnauthenticated.
func (a *Gate) LoadAccount(ctx context.Context, w *Work, id uuid.UUID) (*access.Account, error) {
	history, err := w.Load(ctx, access.AccountStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("%w: account %s does not exist", ErrUnauthenticated, id)
	}
	return access.LoadAccount(id, history)
}

// Denied records the refusal (access.denied: every authorisation decision
// is in the history, the refusals included) and returns the error the
// caller answers with.
func (a *Gate) Denied(ctx context.Context, actor Actor, perm access.Permission, target *org.Unit, reason string) error {
	unitID := ""
	if target != nil {
		unitID = target.ID().String()
	}
	err := &ForbiddenError{Permission: string(perm), UnitID: unitID}
	stream := access.AccessStream(actor.AccountID)
	if actor.Bootstrap {
		stream = access.BootstrapAccessStream
	}
	e, mErr := event.New(access.TypeAccessDenied, access.AccessDenied{Permission: string(perm), UnitID: unitID, Reason: reason})
	if mErr != nil {
		return errors.Join(err, mErr)
	}
	e.Metadata = event.Metadata{
		ActorAccountID: actor.AccountID.String(), CommandID: actor.CommandID,
		CorrelationID: actor.CorrelationID, OccurredAt: a.clock.Now(), SchemaVersion: 1,
	}
	if _, aErr := a.store.Append(ctx, stream, event.Any, e); aErr != nil {
		return errors.Join(err, fmt.Errorf("record refusal: %w", aErr))
	}
	return err
}

// ForbiddenError: the actor holds no position granting the permission on
// the unit. It matches access.ErrForbidden.
type ForbiddenError struct {
	Permission string
	UnitID     string
}

func (e *ForbiddenError) Error() string {
	if e.UnitID == "" {
		return "forbidden: no right to " + e.Permission
	}
	return "forbidden: no right to " + e.Permission + " at unit " + e.UnitID
}

// Is makes errors.Is(err, access.ErrForbidden) true.
func (e *ForbiddenError) Is(target error) bool { return target == access.ErrForbidden }

// AuthorizeAny admits a read by actor at unit when any of perms is granted
// there. Only the last is asked through Authorize, so a refusal is
// recorded once, naming it.
func (a *Gate) AuthorizeAny(ctx context.Context, w *Work, actor Actor, unit *org.Unit, perms ...access.Permission) error {
	if !actor.Bootstrap {
		account, err := a.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return err
		}
		for _, p := range perms[:len(perms)-1] {
			if _, err := account.Authorize(p, access.RefOf(unit)); err == nil {
				return nil
			}
		}
	}
	_, err := a.Authorize(ctx, w, actor, perms[len(perms)-1], unit)
	return err
}

// AuthorizeSelfOr lets the employee act on their own behalf, and anyone
// else with perm at unit; self reports which.
func (a *Gate) AuthorizeSelfOr(ctx context.Context, w *Work, actor Actor, employee uuid.UUID, perm access.Permission, unit *org.Unit) (meta event.Metadata, self bool, err error) {
	if !actor.Bootstrap {
		account, err := a.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return event.Metadata{}, false, err
		}
		if account.IsEmployee(employee) {
			w.Actor = actor
			return event.Metadata{
				ActorAccountID: actor.AccountID.String(), ActorName: account.Name(), ActorUnitID: unit.ID().String(),
				CommandID: actor.CommandID, CorrelationID: actor.CorrelationID,
				OccurredAt: a.clock.Now(), SchemaVersion: 1,
			}, true, nil
		}
	}
	meta, err = a.Authorize(ctx, w, actor, perm, unit)
	return meta, false, err
}
