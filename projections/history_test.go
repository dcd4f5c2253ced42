package projections

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections/casegen"
	"aidtrail/projections/cases"
)

// dump returns the whole case list, ordered by case id.
func dump(t *testing.T, db *sqldb.DB) []query.CaseRow {
	t.Helper()
	rows, _, err := cases.List(t.Context(), db, query.CaseFilter{Page: query.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b query.CaseRow) int { return slices.Compare(a.CaseID[:], b.CaseID[:]) })
	return rows
}

// newWorld is a world of four units and five employees.
func newWorld(seed uint64) *casegen.World { return casegen.New(seed, 4, 5) }

// write appends n case histories of w to store.
func write(t *testing.T, w *casegen.World, store casegen.Appender, n int) {
	t.Helper()
	if _, err := w.Write(t.Context(), store, n); err != nil {
		t.Fatal(err)
	}
}

// check compares the case list with what the world wrote.
func check(t *testing.T, w *casegen.World, db *sqldb.DB) {
	t.Helper()
	want := w.Want()
	got := dump(t, db)
	if len(got) != len(want) {
		t.Fatalf("case list has %d cases, want %d", len(got), len(want))
	}
	for _, r := range got {
		if r.OpenedPosition <= 0 || r.UpdatedPosition < r.OpenedPosition {
			t.Fatalf("case %s positions %d/%d", r.CaseID, r.OpenedPosition, r.UpdatedPosition)
		}
		if r.OpenedAt.IsZero() {
			t.Fatalf("case %s has no opening time", r.CaseID)
		}
		r.OpenedPosition, r.UpdatedPosition, r.OpenedAt = 0, 0, time.Time{}
		if want := want[r.CaseID]; !reflect.DeepEqual(r, want) {
			t.Fatalf("case %s:\n got %+v\nwant %+v", r.CaseID, r, want)
		}
	}
}

// equalsRebuild fails t unless the live case list equals the list rebuilt
// from position 0.
func equalsRebuild(t *testing.T, env *apptest.Env) {
	t.Helper()
	if live, fresh := dump(t, env.DB), rebuilt(t, env); !reflect.DeepEqual(live, fresh) {
		t.Fatalf("live case list differs from a rebuild:\n%+v\n%+v", live, fresh)
	}
}

// rebuilt rebuilds the case list from position 0 in a new generation,
// switches to it and returns it; the live list it replaced must have been
// caught up with the store.
func rebuilt(t *testing.T, env *apptest.Env) []query.CaseRow {
	t.Helper()
	ctx := t.Context()
	live := dump(t, env.DB)
	livePos, err := Checkpoint(ctx, env.DB, cases.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Rebuild(ctx, env.DB, env.Store, cases.New(), nil); err != nil {
		t.Fatal(err)
	}
	fresh := dump(t, env.DB)
	if pos, _ := Checkpoint(ctx, env.DB, cases.Name); pos != livePos {
		t.Fatalf("rebuild reached position %d, live list %d", pos, livePos)
	}
	if len(live) == 0 {
		t.Fatal("live case list is empty")
	}
	return fresh
}

// counting counts the events a projection applied and committed, by
// position.
type counting struct {
	Projection
	mu     sync.Mutex
	counts map[int64]int
}

func count(p Projection) *counting { return &counting{Projection: p, counts: map[int64]int{}} }

func (c *counting) Apply(ctx context.Context, tx *Tx, e event.Recorded) error {
	if err := c.Projection.Apply(ctx, tx, e); err != nil {
		return err
	}
	c.mu.Lock()
	c.counts[e.Position]++
	c.mu.Unlock()
	return nil
}

// once fails unless every event up to head was applied exactly once.
func (c *counting) once(t *testing.T, store Source) {
	t.Helper()
	all, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range all {
		if c.counts[e.Position] != 1 {
			t.Fatalf("event at %d (%s) applied %d times", e.Position, e.Type, c.counts[e.Position])
		}
	}
	if len(c.counts) != len(all) {
		t.Fatalf("%d events applied, log holds %d", len(c.counts), len(all))
	}
}
