// Package readmodeltest runs the service's projections over a test
// application (apptest), as serve does: every projection of
// projections.All under one runner, from the test's start to its end. It
// also writes histories by hand and checks that a projection refuses, and
// stays refusing, an event it cannot apply.
package readmodeltest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
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

// Append writes one event of type typ, data as its JSON payload, to stream
// in env's store at whatever version the stream has, and returns its
// global position: for histories the application does not write.
func Append(t testing.TB, env *apptest.Env, stream, typ string, data any) int64 {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	w, err := env.Store.Append(t.Context(), stream, event.Any, event.Event{ID: event.NewID(), Type: typ, Data: raw})
	if err != nil {
		t.Fatal(err)
	}
	return w.Position
}

// CatchUp brings p up to the head of env's store, failing t if it cannot,
// and returns the position it reached.
func CatchUp(t testing.TB, env *apptest.Env, p projections.Projection) int64 {
	t.Helper()
	pos, err := projections.CatchUp(t.Context(), env.DB, env.Store, p)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// Refuses catches p up over env twice and fails t unless both attempts
// fail with an error saying want and stop at the same position, the one
// p's checkpoint holds. It returns that position, for the caller to say
// where the projection had to stop.
func Refuses(t testing.TB, env *apptest.Env, p projections.Projection, want string) int64 {
	t.Helper()
	var first int64
	for i := range 2 {
		pos, err := projections.CatchUp(t.Context(), env.DB, env.Store, p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("catch-up: %v, want an error saying %q", err, want)
		}
		cp, err := projections.Checkpoint(t.Context(), env.DB, p.Name())
		if err != nil || cp != pos {
			t.Fatalf("checkpoint %d, %v; want it where catch-up stopped (%d)", cp, err, pos)
		}
		if i > 0 && cp != first {
			t.Fatalf("the second refusal left the checkpoint at %d, the first at %d", cp, first)
		}
		first = cp
	}
	return first
}
