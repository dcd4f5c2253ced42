package projections

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
)

// checkCounts runs r's self-check and returns every projection's result.
func checkCounts(t *testing.T, r *Runner) map[string]CountCheck {
	t.Helper()
	if err := r.CheckCounts(t.Context()); err != nil {
		t.Fatal(err)
	}
	st, err := r.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]CountCheck{}
	for _, s := range st {
		if s.Counts.At != s.Checkpoint {
			t.Fatalf("%s: self-check compared at %d, its checkpoint is %d", s.Name, s.Counts.At, s.Checkpoint)
		}
		out[s.Name] = s.Counts
	}
	return out
}

// agree fails t when a self-check found a mismatch.
func agree(t *testing.T, when string, checks map[string]CountCheck) {
	t.Helper()
	for name, c := range checks {
		if len(c.Mismatches) > 0 {
			t.Errorf("%s: %s's applied events disagree with the log: %v", when, name, c.Mismatches)
		}
	}
}

// Every projection of the service, run live with every batch delivered
// twice under concurrent writers, counts exactly the events of the log it
// concerns: the self-check agrees, after more events (from where it last
// stood) and after rebuilds (new generations counted afresh).
func TestSelfCheckAgreesLiveAndAfterRebuild(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(300)
		if err := w.WriteOrganisation(t.Context(), env.Store); err != nil {
			t.Fatal(err)
		}
		write(t, w, env.Store, 4)
		r, _, _ := start(t, t.Context(), env, All(), middleware.Duplicator)
		var writers sync.WaitGroup
		for seed := range uint64(3) {
			writers.Go(func() {
				if _, err := newWorld(310+seed).Write(t.Context(), env.Store, 6); err != nil {
					t.Error(err)
				}
			})
		}
		writers.Wait()
		waitFor(t, r, caughtUp(t, env))
		first := checkCounts(t, r)
		agree(t, "live", first)
		if first["cases"].At == 0 {
			t.Fatal("the self-check compared nothing")
		}

		write(t, w, env.Store, 3)
		waitFor(t, r, caughtUp(t, env))
		second := checkCounts(t, r)
		agree(t, "after more events", second)
		if second["cases"].At <= first["cases"].At {
			t.Fatalf("second check at %d, first at %d", second["cases"].At, first["cases"].At)
		}

		for _, p := range All() {
			if _, err := Rebuild(t.Context(), env.DB, env.Store, p, nil); err != nil {
				t.Fatal(err)
			}
		}
		agree(t, "after rebuilds", checkCounts(t, r))
	})
}

// An event lost on its way to a projection (its checkpoint passed it
// without applying it) is found by the self-check: the count of its type
// is one short of the log's, and Status reports it.
func TestSelfCheckFindsALostEvent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		write(t, newWorld(21), env.Store, 3)
		all, err := env.Store.ReadAll(t.Context(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		p := &tally{}
		r, err := NewRunner(Config{DB: env.DB, Source: env.Store, Projections: []Projection{p}})
		if err != nil {
			t.Fatal(err)
		}
		if err := Prepare(t.Context(), env.DB, p); err != nil {
			t.Fatal(err)
		}
		lost := len(all) / 2
		// The batch after the lost event follows the one before it, as
		// from a reader that passed its position as a hole.
		for _, b := range []struct {
			events []event.Recorded
			prev   int64
		}{{all[:lost], 0}, {all[lost+1:], all[lost-1].Position}} {
			if _, err := applyBatch(t.Context(), env.DB, p, b.events, b.prev); err != nil {
				t.Fatal(err)
			}
		}
		checks := checkCounts(t, r)
		logged := int64(0)
		for _, e := range all {
			if e.Type == all[lost].Type {
				logged++
			}
		}
		want := []CountMismatch{{Type: all[lost].Type, Applied: logged - 1, Logged: logged}}
		if got := checks[p.Name()].Mismatches; !reflect.DeepEqual(got, want) {
			t.Fatalf("self-check found %v, want %v", got, want)
		}
	})
}

func TestCompareCounts(t *testing.T) {
	t.Parallel()
	got := compareCounts(
		map[string]int64{"case.opened": 3, "case.submitted": 2, "case.extra": 1, "case.zero": 0},
		map[string]int64{"case.opened": 3, "case.submitted": 3, "case.missing": 4})
	want := []CountMismatch{
		{Type: "case.extra", Applied: 1},
		{Type: "case.missing", Logged: 4},
		{Type: "case.submitted", Applied: 2, Logged: 3},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("compareCounts = %v, want %v", got, want)
	}
	if got := compareCounts(map[string]int64{"a": 1}, map[string]int64{"a": 1}); len(got) != 0 {
		t.Fatalf("equal counts: %v", got)
	}
}

// readCounter is the real store, counting ReadAll calls.
type readCounter struct {
	Source
	reads atomic.Int64
}

func (c *readCounter) ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error) {
	c.reads.Add(1)
	return c.Source.ReadAll(ctx, after, limit)
}

// A check reads only what the log gained since the last one, also when a
// projection stands still far behind the others (as a stopped one does).
func TestSelfCheckReadsOnlyWhatTheLogGained(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, "postgres")
	write(t, newWorld(22), env.Store, 3)
	all, err := env.Store.ReadAll(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	ahead, behind := &tally{}, &namedTally{name: "behind"}
	src := &readCounter{Source: env.Store}
	r, err := NewRunner(Config{DB: env.DB, Source: src, Projections: []Projection{ahead, behind}})
	if err != nil {
		t.Fatal(err)
	}
	half := len(all) / 2
	for p, events := range map[Projection][]event.Recorded{ahead: all, behind: all[:half]} {
		if err := Prepare(t.Context(), env.DB, p); err != nil {
			t.Fatal(err)
		}
		if _, err := applyBatch(t.Context(), env.DB, p, events, 0); err != nil {
			t.Fatal(err)
		}
	}
	agree(t, "first check", checkCounts(t, r))
	if src.reads.Load() == 0 {
		t.Fatal("the first check read nothing")
	}
	src.reads.Store(0)
	if err := r.CheckCounts(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := src.reads.Load(); n != 0 {
		t.Fatalf("a check with nothing new read the log %d times", n)
	}
	agree(t, "second check", checkCounts(t, r))
}

// namedTally is tally under another name, so that two can run at once.
type namedTally struct {
	tally
	name string
}

func (n *namedTally) Name() string { return n.name }
