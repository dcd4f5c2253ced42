package projections

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections/cases"
	"aidtrail/projections/inbox"
	"aidtrail/projections/stats"
)

// A rebuild while writers append, the live runner projects and readers
// list cases: every read succeeds and sees at least every case it saw
// before; afterwards the runner goes on in the new generation and the
// list holds exactly what was written.
func TestRebuildWithoutDowntime(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(11)
		write(t, w, env.Store, 30)
		r, _, _ := start(t, t.Context(), env, []Projection{cases.New()})
		waitFor(t, r, caughtUp(t, env))

		ctx, stop := context.WithCancel(t.Context())
		var busy sync.WaitGroup
		var reads atomic.Int64
		for range 2 {
			busy.Add(1)
			go func() { // readers
				defer busy.Done()
				seen := 0
				for ctx.Err() == nil {
					rows, _, err := cases.List(ctx, env.DB, query.CaseFilter{Page: query.Page{Limit: 500}})
					if err != nil {
						if ctx.Err() == nil {
							t.Errorf("read during rebuild: %v", err)
						}
						return
					}
					if len(rows) < seen {
						t.Errorf("a read saw %d cases after one saw %d", len(rows), seen)
						return
					}
					seen = len(rows)
					reads.Add(1)
				}
			}()
		}
		busy.Add(1)
		go func() { // a writer, stopping between whole cases
			defer busy.Done()
			for ctx.Err() == nil {
				if _, err := w.Write(t.Context(), env.Store, 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		for gen := int64(2); gen <= 3; gen++ {
			got, err := Rebuild(t.Context(), env.DB, env.Store, cases.New(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != gen {
				t.Fatalf("rebuild made generation %d, want %d", got, gen)
			}
		}
		time.Sleep(20 * time.Millisecond)
		stop()
		busy.Wait()
		if reads.Load() == 0 {
			t.Fatal("no read ran during the rebuilds")
		}
		waitFor(t, r, caughtUp(t, env))
		check(t, w, env.DB)
	})
}

// failingAt is a projection that refuses the event at one position.
type failingAt struct {
	Projection
	position int64
}

func (f failingAt) Apply(ctx context.Context, tx *Tx, e event.Recorded) error {
	if e.Position == f.position {
		return errors.New("refused")
	}
	return f.Projection.Apply(ctx, tx, e)
}

// Rebuilding several projections in one pass while a writer appends: a
// projection failing half-way fails the rebuild, names itself, and
// leaves every projection live on its old generation with what it had;
// the same rebuild without it switches each to its new generation, and
// the runner goes on there with exactly what was written.
func TestRebuildAllInOnePass(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(12)
		write(t, w, env.Store, 30)
		ps := []Projection{cases.New(), inbox.New()}
		r, _, _ := start(t, t.Context(), env, ps)
		waitFor(t, r, caughtUp(t, env))
		head, err := env.Store.Head(t.Context())
		if err != nil {
			t.Fatal(err)
		}

		broken := failingAt{Projection: stats.New(), position: head / 2}
		_, err = RebuildAll(t.Context(), env.DB, env.Store, append(ps, broken), nil)
		if err == nil || !strings.Contains(err.Error(), broken.Name()) {
			t.Fatalf("a rebuild with a failing projection: %v, want its failure", err)
		}
		for _, p := range append(ps, broken) {
			var live int64
			if err := env.DB.QueryRow(t.Context(), "SELECT live FROM projection_generations WHERE name = $1", p.Name()).Scan(&live); err != nil || live != 1 {
				t.Fatalf("%s is live on generation %d (%v) after the failed rebuild, want 1", p.Name(), live, err)
			}
		}
		check(t, w, env.DB)

		ctx, stop := context.WithCancel(t.Context())
		var writer sync.WaitGroup
		writer.Go(func() {
			for ctx.Err() == nil {
				if _, err := w.Write(t.Context(), env.Store, 1); err != nil {
					t.Error(err)
					return
				}
			}
		})
		gens, err := RebuildAll(t.Context(), env.DB, env.Store, ps, nil)
		stop()
		writer.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(gens, []int64{2, 2}) {
			t.Fatalf("generations %v, want [2 2]", gens)
		}
		waitFor(t, r, caughtUp(t, env))
		check(t, w, env.DB)
	})
}
