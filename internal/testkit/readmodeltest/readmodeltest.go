// Package readmodeltest runs the service's projections over a test
// application (apptest), as serve does: every projection of
// projections.All under one runner, from the test's start to its end.
package readmodeltest

import (
	"context"
	"errors"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections"
)

// Start prepares the read models' tables, as serve does before it
// answers, runs projections.All over env until t ends and returns the
// runner. The runner stopping early (a projection failing) fails t.
func Start(t testing.TB, env *apptest.Env) *projections.Runner {
	t.Helper()
	r, err := projections.NewRunner(projections.Config{DB: env.DB, Source: env.Store,
		Projections: projections.All(), MaxRetries: 2, RetryInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("projections: %v", err)
		}
	})
	return r
}

// CaughtUp waits (at most 30 s) until every projection has applied the
// store's head, failing t otherwise.
func CaughtUp(t testing.TB, env *apptest.Env, r *projections.Runner) {
	t.Helper()
	head, err := env.Store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := r.Wait(ctx, head, 5*time.Millisecond); err != nil {
		t.Fatalf("read models did not reach position %d: %v", head, err)
	}
}

// Query returns the query side over env's read models, as serve wires it.
func Query(t testing.TB, env *apptest.Env) *query.Service {
	t.Helper()
	return env.QueryWith(t, projections.Queries{DB: env.DB})
}
