package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// Login is a sign-in with a login and a password.
type Login struct {
	Login    string
	Password string
}

// Signed is a successful sign-in: a bearer token, shown once.
type Signed struct {
	Token     string
	ExpiresAt time.Time
	AccountID uuid.UUID
}

// LockedError: too many failed sign-ins for this login; it is refused
// without checking the password until Until. It matches ErrUnauthenticated.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "too many failed sign-ins; try again after " + e.Until.Format(time.RFC3339)
}
func (e *LockedError) Is(target error) bool { return target == ErrUnauthenticated }

// Login checks a password and opens a session. A wrong password, an
// unknown login, a closed account and a locked login are all
// ErrUnauthenticated, with the same answer to the client; failures are
// slowed by the login policy, then locked for a while. Sign-ins and
// failures of existing accounts are recorded in their access stream.
func (a *App) Login(ctx context.Context, cmd Login) (Signed, error) {
	login := strings.ToLower(strings.TrimSpace(cmd.Login))
	now := a.clock.Now()
	// The slot is taken before the hash is checked, so a burst of guesses
	// sent at once is stopped like one sent in turn.
	attempt, err := a.credentials.TakeAttempt(ctx, login, now)
	if err != nil {
		return Signed{}, err
	}
	if !attempt.Admitted {
		return Signed{}, &LockedError{Until: attempt.LockedUntil}
	}
	accountID, hash, err := a.credentials.Lookup(ctx, login)
	known := err == nil
	if err != nil && !errors.Is(err, ErrUnknownLogin) {
		return Signed{}, err
	}
	if !known {
		hash = a.dummyHash // the same work as for a known login: timing tells nothing
	}
	ok, err := a.hasher.Verify(cmd.Password, hash)
	if err != nil {
		return Signed{}, err
	}
	if ok && known {
		if closed, err := a.accountClosed(ctx, accountID); err != nil || closed {
			ok = false
			if err != nil {
				return Signed{}, err
			}
		}
	}
	if !ok || !known {
		return Signed{}, a.failedLogin(ctx, accountID, known, attempt, now)
	}
	if err := a.credentials.ClearFailures(ctx, login); err != nil {
		return Signed{}, err
	}
	token, tokenHash, err := NewToken()
	if err != nil {
		return Signed{}, err
	}
	s := Session{TokenHash: tokenHash, AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(a.sessionTTL)}
	if err := a.sessions.Create(ctx, s); err != nil {
		return Signed{}, err
	}
	if err := a.recordAccess(ctx, accountID, access.TypeSignedIn, access.SignedIn{ExpiresAt: s.ExpiresAt}); err != nil {
		// A sign-in that is not in the history does not happen.
		return Signed{}, errors.Join(err, a.sessions.Revoke(ctx, tokenHash, now))
	}
	return Signed{Token: token, ExpiresAt: s.ExpiresAt, AccountID: accountID}, nil
}

// failedLogin answers an admitted attempt whose password was wrong (or
// whose login is unknown or closed): it was counted when it was taken.
// The failure is recorded in the account's access log, or, for a login no
// account has, in the log of unknown logins: one event either way, so
// that the global position and the time taken tell a guesser nothing
// about which logins exist.
func (a *App) failedLogin(ctx context.Context, accountID uuid.UUID, known bool, attempt Attempt, now time.Time) error {
	failed := access.SignInFailed{Failures: attempt.Failures, LockedUntil: attempt.LockedUntil}
	stream, actor := access.UnknownLoginsStream, uuid.Nil
	if known {
		stream, actor = access.AccessStream(accountID), accountID
	}
	if err := a.appendAccess(ctx, stream, actor, access.TypeSignInFailed, failed); err != nil {
		return err
	}
	if attempt.LockedUntil.After(now) {
		return &LockedError{Until: attempt.LockedUntil}
	}
	select {
	case <-time.After(a.policy.DelayAfter(attempt.Failures)):
	case <-ctx.Done():
		return ctx.Err()
	}
	return fmt.Errorf("%w: wrong login or password", ErrUnauthenticated)
}

func (a *App) accountClosed(ctx context.Context, id uuid.UUID) (bool, error) {
	history, err := a.store.ReadStream(ctx, access.AccountStream(id), 1)
	if err != nil {
		return false, err
	}
	account, err := access.LoadAccount(id, history)
	if err != nil {
		return false, err
	}
	return account.Closed(), nil
}

// Logout revokes the caller's bearer token.
func (a *App) Logout(ctx context.Context, actor Actor, token string) error {
	if err := a.sessions.Revoke(ctx, HashToken(token), a.clock.Now()); err != nil {
		if errors.Is(err, ErrSessionInvalid) {
			return fmt.Errorf("%w: %w", ErrUnauthenticated, err)
		}
		return err
	}
	if actor.Bootstrap {
		return nil
	}
	return a.recordAccess(ctx, actor.AccountID, access.TypeSignedOut, access.SignedOut{})
}

// recordAccess appends to the account's access stream, at any version:
// sign-ins never conflict with each other.
func (a *App) recordAccess(ctx context.Context, account uuid.UUID, typ string, payload any) error {
	return a.appendAccess(ctx, access.AccessStream(account), account, typ, payload)
}

// appendAccess appends an access-log event to stream, at any version, as
// actor (uuid.Nil: nobody known).
func (a *App) appendAccess(ctx context.Context, stream string, actor uuid.UUID, typ string, payload any) error {
	e, err := event.New(typ, payload)
	if err != nil {
		return err
	}
	e.Metadata = event.Metadata{OccurredAt: a.clock.Now(), SchemaVersion: 1}
	if actor != uuid.Nil {
		e.Metadata.ActorAccountID = actor.String()
	}
	if _, err := a.store.Append(ctx, stream, event.Any, e); err != nil {
		return fmt.Errorf("record %s: %w", typ, err)
	}
	return nil
}
