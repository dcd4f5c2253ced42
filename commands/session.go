package commands

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
)

// Authenticate turns a bearer token into the actor it stands for.
func (a *App) Authenticate(ctx context.Context, token string) (Actor, error) {
	if token == "" {
		return Actor{}, fmt.Errorf("%w: no bearer token", ErrUnauthenticated)
	}
	hash := HashToken(token)
	if a.bootstrap != nil && subtle.ConstantTimeCompare(hash, a.bootstrap) == 1 {
		ended, err := a.gate.BootstrapEnded(ctx)
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

// Bootstrapped reports whether a bureau administrator of the root has been
// appointed, which ends the bootstrap administrator's rights.
func (a *App) Bootstrapped(ctx context.Context) (bool, error) { return a.gate.BootstrapEnded(ctx) }
