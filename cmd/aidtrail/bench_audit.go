package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"aidtrail/adapters/seal"
	"aidtrail/commands/query"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/projections"
	"aidtrail/projections/trails"
)

const benchAuditUsage = `Usage: aidtrail bench audit --database-url URL [flags]

In a new PostgreSQL schema (dropped at the end): writes --events events of
realistic case histories and a budget whose stream holds --budget-entries
reservations; seals the log and rebuilds the trails read model; then times
case trail and budget trail first pages, inclusion proofs, verification of
the live log and of a bundle against a plain read of the same events, and
append throughput with and without the sealer running.
`

func runBenchAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", "", "PostgreSQL server URL (required)")
	events := fs.Int("events", 100_000, "events of case histories to write first")
	entries := fs.Int("budget-entries", 20_000, "reservations written to one budget's stream")
	queries := fs.Int("queries", 1000, "queries of each kind timed")
	appendFor := fs.Duration("append-duration", 5*time.Second, "how long append throughput is measured, with and without the sealer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *databaseURL == "" || *events < 1 || *entries < 1 || *queries < 1 || *appendFor <= 0 {
		fmt.Fprint(stderr, benchAuditUsage)
		return errUsage
	}
	p, cleanup, err := newProjectionBench(ctx, *databaseURL, "the audit log", stdout, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := p.generate(ctx, *events); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	b := &auditBench{projectionBench: p}
	if err := b.budget(ctx, *entries); err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	if err := b.sealAll(ctx); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	if err := b.trails(ctx, *queries); err != nil {
		return fmt.Errorf("trails: %w", err)
	}
	if err := b.proofs(ctx, *queries); err != nil {
		return fmt.Errorf("proofs: %w", err)
	}
	if err := b.verify(ctx); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return b.appendCost(ctx, *appendFor)
}

type auditBench struct {
	*projectionBench
	budgetID uuid.UUID
	sealer   *seal.Sealer
	signer   note.Signer
	verifier note.Verifier
	auditor  *seal.Auditor // what the service answers proofs with
}

// budget writes one budget whose stream holds n reservations and
// releases of the generated cases, as a bureau budget's year does.
func (b *auditBench) budget(ctx context.Context, n int) error {
	b.budgetID = uuid.New()
	cases := make([]uuid.UUID, 0, len(b.world.Want()))
	for id := range b.world.Want() {
		cases = append(cases, id)
	}
	slices.SortFunc(cases, func(x, y uuid.UUID) int { return bytes.Compare(x[:], y[:]) })
	rng := rand.New(rand.NewPCG(5, 6))
	stream := budget.Stream(b.budgetID)
	first, err := event.New(budget.TypeAllocated, budget.Allocated{BudgetID: b.budgetID, UnitID: b.world.Root, Year: 2026, Line: "aid.grant", AmountFen: int64(n) * 1_000_000})
	if err != nil {
		return err
	}
	if _, err := b.store.Append(ctx, stream, event.NoStream, first); err != nil {
		return err
	}
	version := int64(1)
	for written := 0; written < n; {
		batch := make([]event.Event, 0, 100)
		for range min(100, n-written) {
			typ, payload := budget.TypeReserved, any(budget.Reserved{CaseID: cases[rng.IntN(len(cases))], AmountFen: 50_000})
			if written%4 == 3 {
				typ, payload = budget.TypeReleased, budget.Released{CaseID: cases[rng.IntN(len(cases))], AmountFen: 1, Reason: "结余释放"}
			}
			e, err := event.New(typ, payload)
			if err != nil {
				return err
			}
			batch = append(batch, e)
			written++
		}
		if _, err := b.store.Append(ctx, stream, event.Exact(version), batch...); err != nil {
			return err
		}
		version += int64(len(batch))
	}
	fmt.Fprintf(b.out, "budget %s: %d entries\n", b.budgetID, n)
	return nil
}

// sealAll seals the whole log once, timed, with a fresh key.
func (b *auditBench) sealAll(ctx context.Context) error {
	private, public, err := seal.NewKey()
	if err != nil {
		return err
	}
	if b.signer, _, err = seal.ParseKey(private); err != nil {
		return err
	}
	if b.verifier, err = note.NewVerifier(public); err != nil {
		return err
	}
	if b.auditor, err = seal.NewAuditor(b.db, b.store, public); err != nil {
		return err
	}
	if b.sealer, err = seal.New(seal.Config{DB: b.db, Log: b.store, Signer: b.signer}); err != nil {
		return err
	}
	start := time.Now()
	head, err := b.sealer.Seal(ctx)
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(b.out, "seal: %d events in %s (%.0f events/s)\n", head.Size, d.Round(time.Millisecond), float64(head.Size)/d.Seconds())
	return nil
}

// trails rebuilds the trails read model and times first pages of case
// trails and of the big budget's trail.
func (b *auditBench) trails(ctx context.Context, n int) error {
	p := trails.New()
	if err := projections.Prepare(ctx, b.db, p); err != nil {
		return err
	}
	start := time.Now()
	if _, err := projections.Rebuild(ctx, b.db, b.store, p, nil); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "rebuild trails: %s\n", time.Since(start).Round(time.Millisecond))
	cases := make([]uuid.UUID, 0, len(b.world.Want()))
	for id := range b.world.Want() {
		cases = append(cases, id)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	var caseTimes, budgetTimes []time.Duration
	for range n {
		f := query.TrailFilter{Subject: trails.Subject(trails.KindCase, cases[rng.IntN(len(cases))]), Page: query.Page{Limit: 50}}
		t0 := time.Now()
		if _, _, err := trails.List(ctx, b.db, f); err != nil {
			return err
		}
		caseTimes = append(caseTimes, time.Since(t0))
		f = query.TrailFilter{Subject: trails.Subject(trails.KindBudget, b.budgetID), Page: query.Page{Limit: 50}}
		t0 = time.Now()
		if _, _, err := trails.List(ctx, b.db, f); err != nil {
			return err
		}
		budgetTimes = append(budgetTimes, time.Since(t0))
	}
	slices.Sort(caseTimes)
	slices.Sort(budgetTimes)
	fmt.Fprintf(b.out, "case trail, first page of 50: p50=%s p99=%s (target p99 < 5ms)\n", ms(quantile(caseTimes, 0.5)), ms(quantile(caseTimes, 0.99)))
	fmt.Fprintf(b.out, "budget trail, first page of 50: p50=%s p99=%s (target p99 < 10ms)\n", ms(quantile(budgetTimes, 0.5)), ms(quantile(budgetTimes, 0.99)))
	return nil
}

// proofs times inclusion proofs of random sealed positions, as the
// service answers them (through one Auditor, whose cache of upper tiles
// the first proofs fill) and, interleaved, read from the store alone.
func (b *auditBench) proofs(ctx context.Context, n int) error {
	head, err := seal.LatestHead(ctx, b.db)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(9, 10))
	var served, alone []time.Duration
	for range n {
		pos := 1 + rng.Int64N(head.LastPosition)
		for _, way := range []struct {
			times *[]time.Duration
			prove func(context.Context, int64) (seal.Inclusion, error)
		}{
			{&served, b.auditor.Prove},
			{&alone, func(ctx context.Context, pos int64) (seal.Inclusion, error) { return seal.Prove(ctx, b.db, pos) }},
		} {
			t0 := time.Now()
			if _, err := way.prove(ctx, pos); err != nil && !errors.Is(err, seal.ErrNotSealed) {
				return err
			}
			*way.times = append(*way.times, time.Since(t0))
		}
	}
	slices.Sort(served)
	slices.Sort(alone)
	fmt.Fprintf(b.out, "inclusion proof: p50=%s p99=%s (target p99 < 2ms); from the store alone p50=%s p99=%s\n",
		ms(quantile(served, 0.5)), ms(quantile(served, 0.99)), ms(quantile(alone, 0.5)), ms(quantile(alone, 0.99)))
	return nil
}

// verify times the live verification and a bundle's against a plain read
// of the same events in the same run.
func (b *auditBench) verify(ctx context.Context) error {
	_, readRate, err := b.plainRead(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	r, err := seal.Verify(ctx, b.db, b.store, b.verifier)
	if err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("the benchmark's own log does not verify: %s", r.Problem)
	}
	live := float64(r.Events) / time.Since(start).Seconds()
	var bundle bytes.Buffer
	if _, err := seal.WriteBundle(ctx, b.db, b.store, &bundle, 0); err != nil {
		return err
	}
	start = time.Now()
	rb, err := seal.VerifyBundle(bytes.NewReader(bundle.Bytes()), b.verifier)
	if err != nil {
		return err
	}
	if !rb.OK {
		return fmt.Errorf("the benchmark's bundle does not verify: %s", rb.Problem)
	}
	offline := float64(rb.Events) / time.Since(start).Seconds()
	fmt.Fprintf(b.out, "plain read: %.0f events/s; verify live: %.0f events/s (ratio %.2f); verify bundle (%d MiB): %.0f events/s (ratio %.2f; target >= 0.5)\n",
		readRate, live, live/readRate, bundle.Len()>>20, offline, offline/readRate)
	return nil
}

// appendCost measures appends of small events by 8 writers for d, without
// and with the sealer running as serve runs it, interleaved five times so
// that the machine's drift falls on both, and reports the ratio.
//
// Each window with the sealer pays for sealing its own events, once: what
// earlier windows appended is sealed before it starts, untimed (a sealer
// running as serve runs it has kept up with them), and at d the sealer
// makes one more pass while appends go on, so that the window ends only
// once every event appended in its first d is sealed.
func (b *auditBench) appendCost(ctx context.Context, d time.Duration) error {
	const rounds = 5
	rate := func(withSealer bool) (float64, error) {
		if withSealer {
			if _, err := b.sealer.Seal(ctx); err != nil {
				return 0, err
			}
		}
		appendCtx, stop := context.WithCancel(ctx)
		defer stop()
		start := time.Now()
		appended, wait := b.appendUntil(ctx, appendCtx)
		if withSealer {
			s, err := seal.New(seal.Config{DB: b.db, Log: b.store, Signer: b.signer})
			if err != nil {
				return 0, err
			}
			runCtx, stopRun := context.WithTimeout(ctx, d)
			_ = s.Run(runCtx)
			stopRun()
			if _, err := s.Seal(ctx); err != nil {
				return 0, err
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		stop()
		if err := wait(); err != nil {
			return 0, err
		}
		return float64(appended.Load()) / time.Since(start).Seconds(), nil
	}
	var without, with float64
	for range rounds {
		r, err := rate(false)
		if err != nil {
			return err
		}
		without += r / rounds
		if r, err = rate(true); err != nil {
			return err
		}
		with += r / rounds
	}
	fmt.Fprintf(b.out, "appends, 8 writers: %.0f/s without the sealer, %.0f/s with it (ratio %.3f; target >= 0.95)\n", without, with, with/without)
	return nil
}

// appendUntil appends small events to new streams from 8 writers until
// until ends (each append under ctx) and counts them; wait waits for the
// writers and returns the first error.
func (b *auditBench) appendUntil(ctx, until context.Context) (appended *atomic.Int64, wait func() error) {
	appended = new(atomic.Int64)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	data, _ := json.Marshal(map[string]int{"n": 1})
	for range 8 {
		wg.Go(func() {
			for until.Err() == nil {
				if _, err := b.store.Append(ctx, "bench-"+uuid.NewString(), event.NoStream, event.Event{ID: uuid.New(), Type: "bench.appended", Data: data}); err != nil {
					errs <- err
					return
				}
				appended.Add(1)
			}
		})
	}
	return appended, func() error {
		wg.Wait()
		close(errs)
		return <-errs
	}
}
