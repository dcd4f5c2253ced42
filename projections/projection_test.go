package projections

import (
	"context"
	"errors"
	"testing"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections/cases"
	"aidtrail/projections/units"
)

// Applying the same event twice, or an older one, changes the read model
// once: the checkpoint, stored in the same transaction, makes redelivery a
// no-op.
func TestApplyOneIsExactlyOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(1)
		write(t, w, env.Store, 3)
		all, err := env.Store.ReadAll(t.Context(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		p := count(cases.New())
		for i, e := range all {
			for try := range 2 {
				applied, err := applyOne(t.Context(), env.DB, p, e)
				if err != nil {
					t.Fatal(err)
				}
				if applied != (try == 0) {
					t.Fatalf("event %d delivery %d: applied = %v", i, try, applied)
				}
			}
			if i > 0 { // an event from before the checkpoint
				if applied, err := applyOne(t.Context(), env.DB, p, all[i-1]); err != nil || applied {
					t.Fatalf("older event applied again: %v %v", applied, err)
				}
			}
			if pos, err := Checkpoint(t.Context(), env.DB, cases.Name); err != nil || pos != e.Position {
				t.Fatalf("checkpoint %d (%v), want %d", pos, err, e.Position)
			}
		}
		p.once(t, env.Store)
		check(t, w, env.DB) // paid_fen adds confirmations: a second application would show
	})
}

// A failing Apply leaves neither the read-model change nor the
// checkpoint behind.
func TestApplyOneFailureChangesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(2)
		write(t, w, env.Store, 1)
		all, err := env.Store.ReadAll(t.Context(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		bad := &faulty{Projection: cases.New(), failType: all[0].Type, mode: "after-write"}
		bad.broken.Store(true)
		if _, err := applyOne(t.Context(), env.DB, bad, all[0]); err == nil {
			t.Fatal("failing Apply reported success")
		}
		if pos, _ := Checkpoint(t.Context(), env.DB, cases.Name); pos != 0 {
			t.Fatalf("checkpoint moved to %d", pos)
		}
		if rows := dump(t, env.DB); len(rows) != 0 {
			t.Fatalf("failed Apply left %d rows", len(rows))
		}
	})
}

// applyOne delivers e alone to p, as a batch of one.
func applyOne(ctx context.Context, db *sqldb.DB, p Projection, e event.Recorded) (bool, error) {
	if err := Prepare(ctx, db, p); err != nil {
		return false, err
	}
	n, err := applyBatch(ctx, db, p, []event.Recorded{e}, 0)
	return n == 1, err
}

// Paging with any filter returns every matching case exactly once, in the
// order the cases were opened.
func TestListPagesEveryCaseOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(3)
		write(t, w, env.Store, 23)
		if _, err := CatchUp(t.Context(), env.DB, env.Store, cases.New()); err != nil {
			t.Fatal(err)
		}
		filters := []query.CaseFilter{
			{},
			{UnitIDs: w.Units[:2]},
			{UnitIDs: w.Units[1:2], Status: "in_review"},
			{Status: "closed"},
			{EmployeeID: w.Employees[0]},
			{StandardCode: "MED-SERIOUS", UnitIDs: w.Units},
			{UnitIDs: w.Units[:0]},
		}
		for fi, f := range filters {
			want := map[[16]byte]bool{}
			for id, r := range w.Want() {
				if (f.UnitIDs == nil || contains(f.UnitIDs, r.UnitID)) && (f.Status == "" || r.Status == f.Status) &&
					(f.EmployeeID == [16]byte{} || r.EmployeeID == f.EmployeeID) && (f.StandardCode == "" || r.StandardCode == f.StandardCode) {
					want[id] = true
				}
			}
			for _, limit := range []int{1, 3, 500} {
				f := f
				f.Limit = limit
				seen := map[[16]byte]bool{}
				last, pages := int64(0), 0
				for {
					rows, next, err := cases.List(t.Context(), env.DB, f)
					if err != nil {
						t.Fatal(err)
					}
					if pages++; pages > 100 || len(rows) > limit || (next != 0 && len(rows) != limit) {
						t.Fatalf("filter %d limit %d: page %d has %d rows, next %d", fi, limit, pages, len(rows), next)
					}
					for _, r := range rows {
						if seen[r.CaseID] || !want[r.CaseID] || r.OpenedPosition <= last {
							t.Fatalf("filter %d limit %d: case %s repeated, unwanted or out of order", fi, limit, r.CaseID)
						}
						seen[r.CaseID], last = true, r.OpenedPosition
					}
					if next == 0 {
						break
					}
					f.After = next
				}
				if len(seen) != len(want) {
					t.Fatalf("filter %d limit %d: %d cases paged, want %d", fi, limit, len(seen), len(want))
				}
			}
		}
	})
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A batch a selective projection has no use for moves its checkpoint
// without a transaction; one after a gap does not (the gap is reported),
// nor does one it has passed already.
func TestSelectiveProjectionSkipsBatchesItHasNoUseFor(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		write(t, newWorld(13), env.Store, 2) // case events and notes only
		all, err := env.Store.ReadAll(t.Context(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		p := units.New()
		if err := Prepare(t.Context(), env.DB, p); err != nil {
			t.Fatal(err)
		}
		half := len(all) / 2
		var gap *gapError
		if _, err := applyBatch(t.Context(), env.DB, p, all[half:], all[half-1].Position); !errors.As(err, &gap) {
			t.Fatalf("batch after a gap: %v, want the gap reported", err)
		}
		for _, b := range []struct {
			events []event.Recorded
			prev   int64
		}{{all[:half], 0}, {all[half:], all[half-1].Position}, {all[:half], 0}} {
			if n, err := applyBatch(t.Context(), env.DB, p, b.events, b.prev); err != nil || n != 0 {
				t.Fatalf("applied %d: %v", n, err)
			}
		}
		if pos, _ := Checkpoint(t.Context(), env.DB, p.Name()); pos != all[len(all)-1].Position {
			t.Fatalf("checkpoint %d, want %d", pos, all[len(all)-1].Position)
		}
	})
}
