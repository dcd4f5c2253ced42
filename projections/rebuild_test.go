package projections

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections/cases"
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
