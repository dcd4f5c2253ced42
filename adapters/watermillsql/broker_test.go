package watermillsql

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"aidtrail/adapters/postgres"
	"aidtrail/commands/query"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections"
	"aidtrail/projections/casegen"
	"aidtrail/projections/cases"
	"aidtrail/projections/units"
)

// A forwarder and two worker processes' runners share the PostgreSQL
// broker while four writers commit out of order; one worker dies midway.
// Every case reaches the case list exactly as written, and the list
// equals a rebuild from position 0.
func TestWorkersOverPostgresBroker(t *testing.T) {
	env := apptest.New(t, "postgres")
	url := env.Store.(*postgres.Store).Pool().Config().ConnConfig.ConnString()
	world := casegen.New(9, 4, 6)
	if _, err := world.Write(t.Context(), env.Store, 10); err != nil {
		t.Fatal(err)
	}
	newRunner := func() *projections.Runner {
		b, err := New(t.Context(), Config{URL: url, PollInterval: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		r, err := projections.NewRunner(projections.Config{DB: env.DB, Source: env.Store, Broker: b,
			Projections: []projections.Projection{units.New(), cases.New()}, MaxBatch: 8})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var running sync.WaitGroup
	t.Cleanup(running.Wait)
	run := func(ctx context.Context, f func(context.Context) error) {
		running.Add(1)
		go func() {
			defer running.Done()
			if err := f(ctx); err != nil {
				t.Errorf("runner: %v", err)
			}
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	doomed, kill := context.WithCancel(ctx)
	defer kill()
	fwd, w1, w2 := newRunner(), newRunner(), newRunner()
	run(ctx, fwd.Forward)
	run(doomed, w1.Consume)
	run(ctx, w2.Consume)

	var writers sync.WaitGroup
	for i := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			if _, err := world.Write(ctx, env.Store, 10); err != nil {
				t.Error(err)
			}
			if i == 0 {
				kill()
			}
		}()
	}
	writers.Wait()

	head, err := env.Store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wait, stop := context.WithTimeout(t.Context(), 60*time.Second)
	defer stop()
	if err := w2.Wait(wait, head, 10*time.Millisecond); err != nil {
		t.Fatalf("workers did not reach position %d: %v", head, err)
	}

	live := list(t, env)
	want := world.Want()
	if len(live) != len(want) || len(want) != 50 {
		t.Fatalf("case list has %d cases, world wrote %d (want 50)", len(live), len(want))
	}
	for _, r := range live {
		got := r
		got.OpenedPosition, got.UpdatedPosition, got.OpenedAt = 0, 0, time.Time{}
		if !reflect.DeepEqual(got, want[r.CaseID]) {
			t.Fatalf("case %s:\n got %+v\nwant %+v", r.CaseID, got, want[r.CaseID])
		}
	}
	cancel()
	running.Wait()
	if _, err := projections.Rebuild(t.Context(), env.DB, env.Store, cases.New(), nil); err != nil {
		t.Fatal(err)
	}
	if fresh := list(t, env); !reflect.DeepEqual(live, fresh) {
		t.Fatal("case list projected through the broker differs from a rebuild")
	}
}

func list(t *testing.T, env *apptest.Env) []query.CaseRow {
	t.Helper()
	rows, _, err := cases.List(t.Context(), env.DB, query.CaseFilter{Page: query.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b query.CaseRow) int { return slices.Compare(a.CaseID[:], b.CaseID[:]) })
	return rows
}
