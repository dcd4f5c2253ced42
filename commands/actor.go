package commands

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// Actor is the authenticated caller of a command or query.
type Actor struct {
	// AccountID is the signed-in account; uuid.Nil for the bootstrap
	// administrator.
	AccountID uuid.UUID
	// Bootstrap marks the bootstrap token's holder, who acts as the
	// bureau administrator of the root until a real administrator exists.
	Bootstrap bool
	// CommandID identifies the request (its Idempotency-Key when sent).
	CommandID string
	// IdempotencyKey is the client's Idempotency-Key, "" when none was
	// sent; it makes the ids a command creates repeatable (idempotency.go).
	IdempotencyKey string
	// CorrelationID ties together the commands of one user action.
	CorrelationID string
}

// ErrUnauthenticated: no valid credentials or token.
var ErrUnauthenticated = errors.New("unauthenticated")

// Authenticate turns a bearer token into the actor it stands for.
func (a *App) Authenticate(ctx context.Context, token string) (Actor, error) {
	if token == "" {
		return Actor{}, fmt.Errorf("%w: no bearer token", ErrUnauthenticated)
	}
	hash := HashToken(token)
	if a.bootstrap != nil && subtle.ConstantTimeCompare(hash, a.bootstrap) == 1 {
		ended, err := a.bootstrapEnded(ctx)
		if err != nil {
			return Actor{}, err
		}
		if ended {
			return Actor{}, fmt.Errorf("%w: the bootstrap token stopped working when a bureau administrator was appointed", ErrUnauthenticated)
		}
		return Actor{Bootstrap: true}, nil
	}
	s, err := a.sessions.Find(ctx, hash, a.clock.Now())
	if errors.Is(err, ErrSessionInvalid) {
		return Actor{}, fmt.Errorf("%w: %w", ErrUnauthenticated, err)
	}
	if err != nil {
		return Actor{}, err
	}
	return Actor{AccountID: s.AccountID}, nil
}

func (a *App) bootstrapEnded(ctx context.Context) (bool, error) {
	_, err := a.store.ReadStream(ctx, access.BootstrapStream, 1)
	switch {
	case errors.Is(err, event.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// authorize decides, on the event store's current facts, whether actor may
// use permission on target (nil: the organisation's root, for the bootstrap
// administrator establishing it). It loads the facts it relies on into w —
// the actor's account, or the bootstrap stream — so that the command
// commits only if they are unchanged: rights end exactly at the event that
// ends them. It returns the metadata every event of the command carries.
func (a *App) authorize(ctx context.Context, w *work, actor Actor, perm access.Permission, target *org.Unit) (event.Metadata, error) {
	w.actor = actor
	meta := event.Metadata{
		CommandID: actor.CommandID, CorrelationID: actor.CorrelationID,
		OccurredAt: a.clock.Now(), SchemaVersion: 1,
	}
	if actor.Bootstrap {
		history, err := w.load(ctx, access.BootstrapStream)
		if err != nil {
			return event.Metadata{}, err
		}
		if len(history) > 0 || !access.RoleGrants(access.RoleBureauAdmin, perm) {
			return event.Metadata{}, a.denied(ctx, actor, perm, target, "bootstrap administrator")
		}
		meta.ActorName = "bootstrap administrator"
		if target != nil {
			meta.ActorUnitID = target.ID().String()
		}
		return meta, nil
	}
	account, err := a.loadAccount(ctx, w, actor.AccountID)
	if err != nil {
		return event.Metadata{}, err
	}
	if target == nil {
		return event.Metadata{}, a.denied(ctx, actor, perm, nil, "only the bootstrap administrator establishes the root")
	}
	grant, err := account.Authorize(perm, access.UnitRef{ID: target.ID(), Path: target.Path(), Closed: target.Closed()})
	if err != nil {
		if errors.Is(err, access.ErrForbidden) {
			return event.Metadata{}, a.denied(ctx, actor, perm, target, err.Error())
		}
		return event.Metadata{}, err
	}
	meta.ActorAccountID = actor.AccountID.String()
	meta.ActorName = account.Name()
	meta.ActorPositionID = grant.PositionID.String()
	meta.ActorUnitID = grant.UnitID.String()
	return meta, nil
}

func (a *App) loadAccount(ctx context.Context, w *work, id uuid.UUID) (*access.Account, error) {
	history, err := w.load(ctx, access.AccountStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("%w: account %s does not exist", ErrUnauthenticated, id)
	}
	return access.LoadAccount(id, history)
}

// denied records the refusal (access.denied: every authorisation decision
// is in the history, the refusals included) and returns the error the
// caller answers with.
func (a *App) denied(ctx context.Context, actor Actor, perm access.Permission, target *org.Unit, reason string) error {
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

// Bootstrapped reports whether a bureau administrator of the root has been
// appointed, which ends the bootstrap administrator's rights.
func (a *App) Bootstrapped(ctx context.Context) (bool, error) { return a.bootstrapEnded(ctx) }
