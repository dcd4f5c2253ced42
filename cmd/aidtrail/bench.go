package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"aidtrail/cmd/aidtrail/internal/bench"
)

const benchUsage = `Usage: aidtrail bench append [flags]

Measures appends to the event store against raw single-row INSERTs of the
same bytes, at each concurrency, interleaved; then times reading the whole
global order. With --database-url it works in a new schema that it drops at
the end; without, in a temporary directory with the embedded store.
`

// runBench runs "bench append".
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if f := os.Getenv("AIDTRAIL_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		if err != nil {
			return err
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if len(args) > 0 && args[0] == "cases" {
		return runBenchCases(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "projections" {
		return runBenchProjections(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "audit" {
		return runBenchAudit(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "discovery" {
		return runBenchDiscovery(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "whatif" {
		return runBenchWhatIf(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "append" {
		fmt.Fprint(stderr, benchUsage)
		return errUsage
	}
	var (
		cfg         bench.Config
		databaseURL string
		concurrency string
	)
	fs := flag.NewFlagSet("bench append", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&databaseURL, "database-url", "", "PostgreSQL server URL, postgres://...; empty means the embedded store in a temporary directory")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "duration of each measurement")
	fs.StringVar(&concurrency, "concurrency", "1,8,32", "comma-separated numbers of concurrent writers")
	fs.IntVar(&cfg.ReadEvents, "read-events", 200_000, "events in the store when the read of the global order is timed")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var errs []error
	levels, err := parseConcurrency(concurrency)
	errs = append(errs, err)
	if databaseURL != "" {
		errs = append(errs, validatePostgresURL(databaseURL))
	}
	if cfg.Duration <= 0 {
		errs = append(errs, errors.New("--duration must be positive"))
	}
	cfg.Concurrency = levels
	cfg.Progress = stderr
	if err := errors.Join(append(errs, cfg.Validate())...); err != nil {
		return err
	}

	var target *bench.Target
	if databaseURL != "" {
		target, err = bench.OpenPostgres(ctx, databaseURL, int32(slices.Max(levels)))
	} else {
		target, err = bench.OpenEmbedded(ctx)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "benchmarking the %s store in %s\n", target.Name, target.Where)
	runErr := bench.Run(ctx, cfg, target, stdout)
	return errors.Join(runErr, target.Close(ctx))
}

func parseConcurrency(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("--concurrency %q: want a comma-separated list of numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}
