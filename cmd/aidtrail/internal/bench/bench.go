// Package bench measures what an append to the event store costs against
// the cheapest write of the same bytes the same database can do: a raw,
// single-row, autocommit INSERT into a plain table with the same column
// types. Both run in one process, against one server, interleaved, so that
// drift in the machine's load hits every measurement alike.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// Config tunes Run. Zero fields take the defaults of setDefaults.
type Config struct {
	// Duration of each measurement.
	Duration time.Duration
	// Concurrency lists the numbers of concurrent writers to measure.
	Concurrency []int
	// ReadEvents is how many events the store holds (filling it up if
	// needed) when reading the whole global order is timed.
	ReadEvents int
	// ReadPage is the page size of those reads.
	ReadPage int
	// Progress receives a line as each phase starts; nil discards them.
	Progress io.Writer
}

func (c *Config) setDefaults() {
	if c.Duration == 0 {
		c.Duration = 5 * time.Second
	}
	if len(c.Concurrency) == 0 {
		c.Concurrency = []int{1, 8, 32}
	}
	if c.ReadEvents == 0 {
		c.ReadEvents = 200_000
	}
	if c.ReadPage == 0 {
		c.ReadPage = 5000
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
}

// MaxConcurrency bounds Concurrency; the PostgreSQL pool has one connection
// per writer.
const MaxConcurrency = 256

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if c.Duration < 0 {
		errs = append(errs, errors.New("duration must be positive"))
	}
	for i, n := range c.Concurrency {
		if n < 1 || n > MaxConcurrency {
			errs = append(errs, fmt.Errorf("concurrency %d: want 1 to %d", n, MaxConcurrency))
		}
		if slices.Contains(c.Concurrency[:i], n) {
			errs = append(errs, fmt.Errorf("concurrency %d is listed twice", n))
		}
	}
	if c.ReadEvents < 0 {
		errs = append(errs, errors.New("read events must not be negative"))
	}
	if c.ReadPage < 0 {
		errs = append(errs, errors.New("read page must be positive"))
	}
	return errors.Join(errs...)
}

// Store is the part of the event store the benchmark drives.
type Store interface {
	Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error)
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)
	Head(ctx context.Context) (int64, error)
}

// Row is what the baseline inserts: the bytes an append of one event writes.
type Row struct {
	ID             uuid.UUID
	Stream, Type   string
	Data, Metadata string
}

// Target is a store under test beside its raw-insert baseline, both empty
// and private to the benchmark.
type Target struct {
	Name   string // "postgres" or "embedded"
	Where  string // the schema or directory the benchmark works in
	Store  Store
	Insert func(ctx context.Context, r Row) error
	// PlainRead is the baseline of reading the global order: one page of
	// the events table after a position with a plain SELECT of the
	// columns the store reads, rows taken undecoded. It returns the rows
	// and the last position.
	PlainRead func(ctx context.Context, after int64, limit int) (n int, last int64, err error)
	close     func(ctx context.Context) error
}

// Close releases the target and removes everything the benchmark wrote.
func (t *Target) Close(ctx context.Context) error { return t.close(ctx) }

// Run measures t as cfg says and writes the report to out: a table, then one
// "append/insert c=N ratio=R" and one "append-new/insert c=N ratio=R" line
// per concurrency, then "read events_per_s=N", the plain SELECT's
// "plain select rows_per_s=N" and "read/select ratio=R".
func Run(ctx context.Context, cfg Config, t *Target, out io.Writer) error {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	r := &runner{cfg: cfg, t: t, payload: newPayload()}
	var results []result
	for i, c := range cfg.Concurrency {
		rs, err := r.measureAt(ctx, c, i)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	read, err := r.measureRead(ctx)
	if err != nil {
		return err
	}
	report(out, t, cfg, results, read)
	return nil
}

type runner struct {
	cfg      Config
	t        *Target
	payload  payload
	appended atomic.Int64 // events in the store
}

const (
	kindInsert         = "insert"
	kindAppendNew      = "append-new"
	kindAppendExisting = "append-existing"
)

// measureAt measures the three kinds of write at concurrency c, after a
// short unrecorded warm-up of each that opens the connections they need.
// The kinds take turns going first (by round), so that no kind always
// follows the same one.
func (r *runner) measureAt(ctx context.Context, c, round int) ([]result, error) {
	existing, err := r.newOwnedStreams(ctx, c)
	if err != nil {
		return nil, err
	}
	ops := []struct {
		kind string
		op   func(ctx context.Context, worker int) error
	}{
		{kindInsert, r.insert},
		{kindAppendNew, r.appendNew},
		{kindAppendExisting, existing.append},
	}
	warm := min(r.cfg.Duration/5, time.Second)
	for _, o := range ops {
		if _, err := measure(ctx, c, warm, o.op); err != nil {
			return nil, fmt.Errorf("warm-up %s c=%d: %w", o.kind, c, err)
		}
	}
	var out []result
	for i := range ops {
		o := ops[(i+round)%len(ops)]
		fmt.Fprintf(r.cfg.Progress, "measuring %s c=%d for %v\n", o.kind, c, r.cfg.Duration)
		res, err := measure(ctx, c, r.cfg.Duration, o.op)
		if err != nil {
			return nil, fmt.Errorf("%s c=%d: %w", o.kind, c, err)
		}
		res.kind, res.c = o.kind, c
		out = append(out, res)
	}
	return out, nil
}

func (r *runner) insert(ctx context.Context, _ int) error {
	e := r.payload.event()
	row, err := rowOf(newStreamName(), e)
	if err != nil {
		return err
	}
	return r.t.Insert(ctx, row)
}

func (r *runner) appendNew(ctx context.Context, _ int) error {
	if _, err := r.t.Store.Append(ctx, newStreamName(), event.NoStream, r.payload.event()); err != nil {
		return err
	}
	r.appended.Add(1)
	return nil
}

func report(out io.Writer, t *Target, cfg Config, results []result, read readResult) {
	fmt.Fprintf(out, "store=%s in %s, %v per measurement\n", t.Name, t.Where, cfg.Duration)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "c\tkind\tops\tops/s\tp50\tp99\t")
	kinds := []string{kindInsert, kindAppendNew, kindAppendExisting}
	slices.SortStableFunc(results, func(a, b result) int {
		if a.c != b.c {
			return slices.Index(cfg.Concurrency, a.c) - slices.Index(cfg.Concurrency, b.c)
		}
		return slices.Index(kinds, a.kind) - slices.Index(kinds, b.kind)
	})
	for _, res := range results {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%.0f\t%s\t%s\t\n", res.c, res.kind, res.ops, res.perSecond(), ms(res.p50), ms(res.p99))
	}
	_ = tw.Flush()
	fmt.Fprintf(out, "read: %d events in %v, pages of %d\n", read.events, read.elapsed.Round(time.Millisecond), cfg.ReadPage)

	rate := func(c int, kind string) float64 {
		i := slices.IndexFunc(results, func(r result) bool { return r.c == c && r.kind == kind })
		return results[i].perSecond()
	}
	for _, c := range cfg.Concurrency {
		base := rate(c, kindInsert)
		fmt.Fprintf(out, "append/insert c=%d ratio=%.2f\n", c, ratio(rate(c, kindAppendExisting), base))
		fmt.Fprintf(out, "append-new/insert c=%d ratio=%.2f\n", c, ratio(rate(c, kindAppendNew), base))
	}
	fmt.Fprintf(out, "read events_per_s=%.0f\n", read.perSecond())
	if plain := read.plainPerSecond(); plain > 0 {
		fmt.Fprintf(out, "plain select rows_per_s=%.0f\n", plain)
		fmt.Fprintf(out, "read/select ratio=%.2f\n", ratio(read.perSecond(), plain))
	}
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }
