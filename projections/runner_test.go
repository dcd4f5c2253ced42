package projections

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/pgtest"
	"aidtrail/projections/cases"
)

// faulty fails on every event of failType while broken: with an error, a
// panic, or an error after its read-model change.
type faulty struct {
	Projection
	failType string
	mode     string
	broken   atomic.Bool
}

func (f *faulty) Apply(ctx context.Context, tx *Tx, e event.Recorded) error {
	if !f.broken.Load() || e.Type != f.failType {
		return f.Projection.Apply(ctx, tx, e)
	}
	switch f.mode {
	case "panic":
		panic("cannot apply " + e.Type)
	case "after-write":
		if err := f.Projection.Apply(ctx, tx, e); err != nil {
			return err
		}
	}
	return errors.New("cannot apply " + e.Type)
}

// tally counts events and owns no table: a second projection beside the
// case list.
type tally struct{ n atomic.Int64 }

func (*tally) Name() string    { return "tally" }
func (*tally) Tables() []Table { return nil }
func (t *tally) Apply(context.Context, *Tx, event.Recorded) error {
	t.n.Add(1)
	return nil
}

// start runs a Runner over env until the test ends or stop is called; the
// returned channel yields Run's result.
func start(t *testing.T, parent context.Context, env *apptest.Env, ps []Projection, mws ...message.HandlerMiddleware) (*Runner, context.CancelFunc, <-chan error) {
	t.Helper()
	r, err := NewRunner(Config{DB: env.DB, Source: env.Store, Projections: ps, MaxRetries: 2,
		RetryInterval: time.Millisecond, MaxBatch: 4, Middlewares: mws})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(parent)
	done, finished := make(chan error, 1), make(chan struct{})
	go func() { done <- r.Run(ctx); close(finished) }()
	t.Cleanup(func() { cancel(); <-finished })
	return r, cancel, done
}

// waitFor polls r's status until ok accepts it.
func waitFor(t *testing.T, r *Runner, ok func([]Status) bool) []Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := r.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("projections did not get there: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func head(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	h, err := env.Store.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func caughtUp(t *testing.T, env *apptest.Env) func([]Status) bool {
	h := head(t, env)
	return func(st []Status) bool {
		for _, s := range st {
			if s.Checkpoint != h || s.Stopped != nil {
				return false
			}
		}
		return true
	}
}

// Every event delivered twice (Watermill's Duplicator), over a log that
// grows while the runner runs: the case list equals a sequential rebuild
// from position 0, and every event took effect once.
func TestRunnerUnderDuplicateDelivery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(4)
		write(t, w, env.Store, 8)
		p := count(cases.New())
		r, _, _ := start(t, t.Context(), env, []Projection{p}, middleware.Duplicator)
		write(t, w, env.Store, 8)
		waitFor(t, r, caughtUp(t, env))
		p.once(t, env.Store)
		check(t, w, env.DB)
		equalsRebuild(t, env)
	})
}

// The process dies after an event's transaction commits and before the
// message is acknowledged: the restarted runner resumes from the
// checkpoints and the case list equals a rebuild, each event applied once.
func TestRunnerResumesAfterCrash(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(5)
		write(t, w, env.Store, 12)
		p := count(cases.New())
		var handled atomic.Int64
		crashCtx, crash := context.WithCancel(t.Context())
		crashed := make(chan struct{})
		crashAfter := func(h message.HandlerFunc) message.HandlerFunc {
			return func(msg *message.Message) ([]*message.Message, error) {
				out, err := h(msg)
				if err == nil && handled.Add(1) == 5 {
					crash()
					close(crashed)
					return nil, errors.New("crash before ack")
				}
				return out, err
			}
		}
		r, _, done := start(t, crashCtx, env, []Projection{p}, crashAfter)
		<-crashed
		if err := <-done; err != nil {
			t.Fatalf("run after crash: %v", err)
		}
		st, err := r.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st[0].Checkpoint == 0 || st[0].Checkpoint >= head(t, env) {
			t.Fatalf("crash was not mid-way: checkpoint %d, head %d", st[0].Checkpoint, head(t, env))
		}
		r2, _, _ := start(t, t.Context(), env, []Projection{p})
		waitFor(t, r2, caughtUp(t, env))
		p.once(t, env.Store)
		check(t, w, env.DB)
		equalsRebuild(t, env)
	})
}

// An event the case list keeps failing on stops it just before that event
// and Status says so, while another projection goes on; once fixed and
// restarted it resumes there and completes.
func TestPoisonEventStopsProjection(t *testing.T) {
	for _, kind := range apptest.Kinds {
		for _, mode := range []string{"error", "panic", "after-write"} {
			t.Run(kind+"/"+mode, func(t *testing.T) {
				t.Parallel()
				env := apptest.New(t, kind)
				w := newWorld(6)
				write(t, w, env.Store, 10)
				all, err := env.Store.ReadAll(t.Context(), 0, 10_000)
				if err != nil {
					t.Fatal(err)
				}
				poison := int64(0)
				for i, e := range all {
					if e.Type == "case.approved" {
						poison = all[i-1].Position
						break
					}
				}
				if poison == 0 {
					t.Fatal("history has no approval")
				}
				bad := &faulty{Projection: cases.New(), failType: "case.approved", mode: mode}
				bad.broken.Store(true)
				other := &tally{}
				r, cancel, done := start(t, t.Context(), env, []Projection{bad, other})
				h := head(t, env)
				st := waitFor(t, r, func(st []Status) bool { return st[0].Stopped != nil && st[1].Checkpoint == h })
				if st[0].Name != cases.Name || st[0].Checkpoint != poison || st[1].Stopped != nil {
					t.Fatalf("status %+v, want cases stopped at %d", st, poison)
				}
				time.Sleep(50 * time.Millisecond) // a stopped projection stays put
				if pos, _ := Checkpoint(t.Context(), env.DB, cases.Name); pos != poison {
					t.Fatalf("stopped projection moved to %d", pos)
				}
				for _, row := range dump(t, env.DB) {
					if row.ApprovedFen != 0 {
						t.Fatalf("failed approval left its change: %+v", row)
					}
				}
				if other.n.Load() != int64(len(all)) {
					t.Fatalf("tally applied %d events, want %d", other.n.Load(), len(all))
				}
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}

				bad.broken.Store(false)
				r2, _, _ := start(t, t.Context(), env, []Projection{bad, other})
				waitFor(t, r2, caughtUp(t, env))
				check(t, w, env.DB)
				if other.n.Load() != int64(len(all)) {
					t.Fatalf("tally applied %d events after restart, want %d", other.n.Load(), len(all))
				}
			})
		}
	}
}

// A runner whose only projection stops returns, naming the failure.
func TestRunReturnsWhenEveryProjectionStopped(t *testing.T) {
	env := apptest.New(t, "sqlite")
	write(t, newWorld(7), env.Store, 3)
	bad := &faulty{Projection: cases.New(), failType: "case.submitted", mode: "error"}
	bad.broken.Store(true)
	_, _, done := start(t, t.Context(), env, []Projection{bad})
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Run returned nil with every projection stopped")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
}

func TestHandlerName(t *testing.T) {
	if got := HandlerName(cases.New()); got != "ProjectCasesOnEvents" {
		t.Fatalf("HandlerName = %q", got)
	}
}

// Eight writers commit out of order (positions drawn before commit) while
// the runner projects: no event is left unprojected or applied twice.
func TestConcurrentWritersLeaveNothingUnprojected(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(12)
		p := count(cases.New())
		r, _, _ := start(t, t.Context(), env, []Projection{p})
		var writers sync.WaitGroup
		for range 8 {
			writers.Add(1)
			go func() {
				defer writers.Done()
				if _, err := w.Write(t.Context(), env.Store, 5); err != nil {
					t.Error(err)
				}
			}()
		}
		writers.Wait()
		waitFor(t, r, caughtUp(t, env))
		p.once(t, env.Store)
		check(t, w, env.DB)
	})
}

// PostgreSQL ending every connection of the service, again and again, as
// a restart or a failover does, while the projection starts and applies
// batches: it waits for the database and goes on, never stops, and each
// event takes effect once.
func TestRunnerOutlivesDroppedConnections(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, "postgres")
	w := newWorld(7)
	write(t, w, env.Store, 150)
	p := cases.New()
	stop := make(chan struct{})
	attacked := make(chan int)
	go func() {
		n := 0
		defer func() { attacked <- n }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				n += pgtest.TerminateConnections(t, env.DatabaseURL)
			}
		}
	}()
	r, _, done := start(t, t.Context(), env, []Projection{p})
	want := head(t, env)
	var st []Status
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("the runner ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the projection did not catch up: %+v", st)
		}
		var err error
		if st, err = r.Status(t.Context()); err != nil {
			continue // the test's own reads meet the ended connections too
		}
		if st[0].Stopped != nil {
			t.Fatalf("the projection stopped: %v", st[0].Stopped)
		}
		if st[0].Checkpoint == want {
			break
		}
	}
	close(stop)
	// Connections idle for over a second are checked before the pool
	// hands them out again: the checks below meet no ended one.
	time.Sleep(1100 * time.Millisecond)
	if n := <-attacked; n == 0 || st[0].Failures == 0 {
		t.Fatalf("%d connections ended, %d batches failed: the attack missed the batches", n, st[0].Failures)
	}
	// Applying a batch again after its transaction was cut is no second
	// effect: the counts kept with the checkpoint agree with the log.
	if err := r.CheckCounts(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st, err := r.Status(t.Context()); err != nil || len(st[0].Counts.Mismatches) > 0 {
		t.Fatalf("self-check after the attack: %v %+v", err, st)
	}
	check(t, w, env.DB)
	equalsRebuild(t, env)
}
