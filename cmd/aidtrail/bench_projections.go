package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/postgres"
	"aidtrail/cmd/aidtrail/internal/bench"
	"aidtrail/commands/query"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/projections"
	"aidtrail/projections/casegen"
	"aidtrail/projections/cases"
	"aidtrail/projections/stats"
)

const benchProjectionsUsage = `Usage: aidtrail bench projections --database-url URL [flags]

In a new PostgreSQL schema (dropped at the end): writes --events events of
realistic case histories; rebuilds every projection from position 0 and
compares the rate with a plain read of the global order in the same run;
measures projection lag while commands arrive at --rate per second; then
times case list pages and statistics queries over the cases written.
`

func runBenchProjections(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench projections", flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", "", "PostgreSQL server URL (required)")
	events := fs.Int("events", 1_000_000, "events of case histories to write first")
	rate := fs.Int("rate", 500, "commands (appends) per second while lag is measured")
	lagFor := fs.Duration("lag-duration", 10*time.Second, "how long lag is measured")
	queries := fs.Int("queries", 1000, "queries of each kind timed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *databaseURL == "" || *events < 1 || *rate < 1 || *lagFor <= 0 || *queries < 1 {
		fmt.Fprint(stderr, benchProjectionsUsage)
		return errUsage
	}
	b, cleanup, err := newProjectionBench(ctx, *databaseURL, "projections", stdout, stderr)
	if err != nil {
		return err
	}
	defer cleanup()

	if err := b.generate(ctx, *events); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := b.rebuild(ctx); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if err := b.lag(ctx, *rate, *lagFor); err != nil {
		return fmt.Errorf("lag: %w", err)
	}
	return b.queries(ctx, *queries)
}

// newProjectionBench opens a migrated store in a new schema of the
// server at databaseURL, for benchmarking what; cleanup closes it and
// drops the schema.
func newProjectionBench(ctx context.Context, databaseURL, what string, stdout, stderr io.Writer) (*projectionBench, func(), error) {
	schemaURL, schema, drop, err := bench.NewSchema(ctx, databaseURL)
	if err != nil {
		return nil, nil, err
	}
	dropSchema := func() { _ = drop(context.WithoutCancel(ctx)) }
	fmt.Fprintf(stderr, "benchmarking %s in schema %s\n", what, schema)
	st, err := postgres.Open(ctx, postgres.Config{URL: schemaURL, MaxConns: 16})
	if err != nil {
		dropSchema()
		return nil, nil, err
	}
	cleanup := func() { st.Close(); dropSchema() }
	if err := st.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return &projectionBench{store: st, db: postgresTables(st), out: stdout, log: stderr, world: casegen.New(1, 40, 20_000)}, cleanup, nil
}

// plainRead reads the whole global order once, the baseline other rates
// are compared with, and returns how many events and how fast.
func (b *projectionBench) plainRead(ctx context.Context) (int, float64, error) {
	start := time.Now()
	read := 0
	for after := int64(0); ; {
		batch, err := b.store.ReadAll(ctx, after, 1000)
		if err != nil {
			return 0, 0, err
		}
		if len(batch) == 0 {
			return read, float64(read) / time.Since(start).Seconds(), nil
		}
		read += len(batch)
		after = batch[len(batch)-1].Position
	}
}

type projectionBench struct {
	store    *postgres.Store
	db       *sqldb.DB
	out, log io.Writer
	world    *casegen.World
}

// generate writes case histories from 8 writers until n events are in
// the log.
func (b *projectionBench) generate(ctx context.Context, n int) error {
	if err := b.world.WriteOrganisation(ctx, b.store); err != nil {
		return err
	}
	start := time.Now()
	var written atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for written.Load() < int64(n) {
				k, err := b.world.Write(ctx, b.store, 20)
				if err != nil {
					errs <- err
					return
				}
				written.Add(int64(k))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(<-errs); err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(b.out, "generated events=%d cases=%d in %s (%.0f events/s, 8 writers)\n",
		written.Load(), len(b.world.Want()), d.Round(time.Millisecond), float64(written.Load())/d.Seconds())
	return nil
}

// rebuild rebuilds every projection from position 0, one after another,
// and reads the whole global order once as the baseline.
func (b *projectionBench) rebuild(ctx context.Context) error {
	head, err := b.store.Head(ctx)
	if err != nil {
		return err
	}
	read, readRate, err := b.plainRead(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "read global order: events=%d events_per_s=%.0f (baseline)\n", read, readRate)
	var total time.Duration
	for _, p := range projections.All() {
		if err := projections.Prepare(ctx, b.db, p); err != nil {
			return err
		}
		start := time.Now()
		if _, err := projections.Rebuild(ctx, b.db, b.store, p, nil); err != nil {
			return err
		}
		d := time.Since(start)
		total += d
		fmt.Fprintf(b.out, "rebuild %-8s events=%d in %s events_per_s=%.0f\n", p.Name(), read, d.Round(time.Millisecond), float64(read)/d.Seconds())
	}
	all := float64(read) / total.Seconds()
	fmt.Fprintf(b.out, "rebuild all (one after another): %s events_per_s=%.0f ratio_to_read=%.3f (head %d)\n",
		total.Round(time.Millisecond), all, all/readRate, head)

	// All at once, as after an upgrade that changes every read model: one
	// pass over the log feeds every projection.
	start := time.Now()
	if _, err := projections.RebuildAll(ctx, b.db, b.store, projections.All(), nil); err != nil {
		return err
	}
	d := time.Since(start)
	parallel := float64(read) / d.Seconds()
	fmt.Fprintf(b.out, "rebuild all (one pass): %s events_per_s=%.0f ratio_to_read=%.3f\n", d.Round(time.Millisecond), parallel, parallel/readRate)
	return nil
}

// lag runs every projection live while case histories are appended at
// rate appends per second, and reports how long each append took to reach
// every read model (from the append's return to the runner applying it).
func (b *projectionBench) lag(ctx context.Context, rate int, d time.Duration) error {
	runner, stop, _, err := runCaughtUp(ctx, b.db, b.store, time.Minute)
	if err != nil {
		return err
	}
	defer stop()

	type sample struct {
		pos int64
		at  time.Time
	}
	var samples []sample
	var samplesMu sync.Mutex
	paced := &pacedAppender{store: b.store, rate: rate, start: time.Now(),
		done: func(pos int64) {
			samplesMu.Lock()
			samples = append(samples, sample{pos, time.Now()})
			samplesMu.Unlock()
		}}
	// Every millisecond the checkpoints are read, in one statement, and
	// kept with when they were read: an append reached a read model at
	// the first reading that shows it applied (a reading's own time can
	// only overstate a lag, never hide one).
	type reading struct {
		at          time.Time
		checkpoints map[string]int64
	}
	var readings []reading
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan error, 1)
	go func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			cps, err := projections.Checkpoints(watchCtx, b.db)
			if err != nil {
				if watchCtx.Err() != nil {
					err = nil
				}
				watched <- err
				return
			}
			readings = append(readings, reading{time.Now(), cps})
			select {
			case <-tick.C:
			case <-watchCtx.Done():
				watched <- nil
				return
			}
		}
	}()
	// Four writers share the pace, so that one slow append does not
	// lower the rate.
	deadline := time.Now().Add(d)
	var writers sync.WaitGroup
	writeErrs := make(chan error, 4)
	for range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for time.Now().Before(deadline) {
				if _, err := b.world.Write(ctx, paced, 1); err != nil {
					writeErrs <- err
					return
				}
			}
		}()
	}
	writers.Wait()
	elapsed := time.Since(paced.start).Seconds()
	close(writeErrs)
	if err := <-writeErrs; err != nil {
		stopWatching()
		return err
	}
	head, err := b.store.Head(ctx)
	if err == nil {
		err = waitPosition(ctx, runner, head, 30*time.Second)
	}
	if err != nil {
		stopWatching()
		if st, serr := runner.Status(ctx); serr == nil {
			for _, s := range st {
				fmt.Fprintf(b.log, "projection %s: checkpoint %d, lag %d positions, %.1fs, stopped: %v\n",
					s.Name, s.Checkpoint, s.LagPositions, s.LagSeconds, s.Stopped)
			}
		}
		return err
	}
	time.Sleep(5 * time.Millisecond) // a last reading after the head
	stopWatching()
	if err := <-watched; err != nil {
		return err
	}
	names := runner.Names()
	// reachedAt is when the readings first show name at pos or beyond.
	reachedAt := func(name string, pos int64) time.Time {
		i := sort.Search(len(readings), func(i int) bool { return readings[i].checkpoints[name] >= pos })
		if i == len(readings) {
			return time.Now()
		}
		return readings[i].at
	}
	lagsOf := make(map[string][]time.Duration, len(names))
	var lags []time.Duration
	for _, s := range samples {
		var every time.Duration
		for _, name := range names {
			l := max(reachedAt(name, s.pos).Sub(s.at), 0)
			lagsOf[name] = append(lagsOf[name], l)
			every = max(every, l)
		}
		lags = append(lags, every)
	}
	slices.Sort(lags)
	fmt.Fprintf(b.out, "lag at %.0f appends/s (%d appends, every projection; checkpoints read %d times): p50=%s p99=%s max=%s\n",
		float64(paced.appends.Load())/elapsed, len(lags), len(readings), ms(quantile(lags, 0.5)), ms(quantile(lags, 0.99)), ms(lags[len(lags)-1]))
	for _, name := range names {
		l := lagsOf[name]
		slices.Sort(l)
		fmt.Fprintf(b.out, "  lag of %-9s p50=%s p99=%s\n", name, ms(quantile(l, 0.5)), ms(quantile(l, 0.99)))
	}
	return nil
}

// runCaughtUp runs every projection live over db from src and returns
// once they have caught up with the store's head (within limit), with how
// long that took; stop ends the runner.
func runCaughtUp(ctx context.Context, db *sqldb.DB, src *postgres.Store, limit time.Duration) (*projections.Runner, func(), time.Duration, error) {
	runner, err := projections.NewRunner(projections.Config{DB: db, Source: src, Projections: projections.All()})
	if err != nil {
		return nil, nil, 0, err
	}
	runCtx, stop := context.WithCancel(ctx)
	go func() { _ = runner.Run(runCtx) }()
	head, err := src.Head(ctx)
	if err != nil {
		stop()
		return nil, nil, 0, err
	}
	start := time.Now()
	if err := waitPosition(ctx, runner, head, limit); err != nil {
		stop()
		return nil, nil, 0, err
	}
	return runner, stop, time.Since(start), nil
}

// waitPosition waits, at most limit, until the named projections (every
// one when none is named) have applied pos.
func waitPosition(ctx context.Context, r *projections.Runner, pos int64, limit time.Duration, names ...string) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return r.Wait(ctx, pos, time.Millisecond, names...)
}

// pacedAppender appends at most rate times per second and reports each
// append's position when it returns.
type pacedAppender struct {
	store   casegen.Appender
	rate    int
	start   time.Time
	appends atomic.Int64
	done    func(pos int64)
}

func (p *pacedAppender) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	n := p.appends.Add(1)
	if due := p.start.Add(time.Duration(n) * time.Second / time.Duration(p.rate)); time.Until(due) > 0 {
		time.Sleep(time.Until(due))
	}
	a, err := p.store.Append(ctx, stream, expected, events...)
	if err == nil {
		p.done(a.Position)
	}
	return a, err
}

// queries times case list pages (first pages and pages deep in the list)
// with random filters over the cases written.
func (b *projectionBench) queries(ctx context.Context, n int) error {
	rng := rand.New(rand.NewPCG(3, 4))
	w := b.world
	statuses := []casework.Status{casework.StatusInReview, casework.StatusApproved, casework.StatusClosed, casework.StatusRejected}
	var pages []time.Duration
	for i := range n {
		f := query.CaseFilter{Page: query.Page{Limit: 50}}
		switch i % 4 {
		case 0:
			f.Within = []uuid.UUID{w.Units[rng.IntN(len(w.Units))]}
		case 1:
			f.Within, f.Status = []uuid.UUID{w.Root}, statuses[rng.IntN(len(statuses))]
		case 2:
			f.EmployeeID = w.Employees[rng.IntN(len(w.Employees))]
		case 3:
			f.UnitIDs = []uuid.UUID{w.Units[rng.IntN(len(w.Units))]}
			f.After = int64(rng.IntN(500_000))
		}
		start := time.Now()
		if _, _, err := cases.List(ctx, b.db, f); err != nil {
			return err
		}
		pages = append(pages, time.Since(start))
	}
	slices.Sort(pages)
	fmt.Fprintf(b.out, "case list pages of 50 over %d cases: p50=%s p99=%s\n", len(w.Want()), ms(quantile(pages, 0.5)), ms(quantile(pages, 0.99)))

	// Statistics: the dimension sets an analyst asks most, over the whole
	// bureau or one station, for a year or a quarter.
	sets := [][]query.Dimension{
		{query.DimUnit}, {query.DimCategory}, {query.DimUnit, query.DimCategory}, {query.DimCause},
		{query.DimStandard, query.DimMonth}, {query.DimLine}, {query.DimUnit, query.DimCause, query.DimMonth}, nil,
	}
	year := time.Now().UTC().Format("2006")
	var figures []time.Duration
	for i := range n {
		q := query.StatsRequest{Dimensions: sets[i%len(sets)], Scope: w.Root}
		if i%3 == 1 {
			q.Scope = w.Units[rng.IntN(len(w.Units))]
		}
		if i%2 == 1 {
			q.From, q.To = year+"-01", year+"-12"
		}
		start := time.Now()
		if _, err := stats.Query(ctx, b.db, q); err != nil {
			return err
		}
		figures = append(figures, time.Since(start))
	}
	slices.Sort(figures)
	fmt.Fprintf(b.out, "statistics queries over %d cases: p50=%s p99=%s\n", len(w.Want()), ms(quantile(figures, 0.5)), ms(quantile(figures, 0.99)))
	return nil
}

// quantile returns the q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}
