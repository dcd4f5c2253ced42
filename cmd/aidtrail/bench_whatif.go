package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/calendar"
	"aidtrail/domain/whatif"
	"aidtrail/projections/casegen"
)

const benchWhatIfUsage = `Usage: aidtrail bench whatif --database-url URL [flags]

In a new PostgreSQL schema (dropped at the end): writes a year of --cases
cases decided under one standard (MED-SERIOUS of the sample catalogue) at
40 stations, as the live system records them: each case's filing,
decisions and payment with the employee's aid ledger, the approvers'
assignments and the station's budget, its annual caps and times per year
counted as the live system counts them (approved, some for less, some
rejected by an approver, some refused by the standard and withdrawn).
Then, after one read to warm the server's cache, --rounds times,
interleaved: a plain read of the whole global order (the baseline) and the
what-if replay of a draft (a higher annual cap, more times a year) over
that year through the query POST /v1/analysis/what-if runs; it prints the
events read, seconds and events/s of each, the replay's ratio to the plain
read, and their medians over the rounds.
`

func runBenchWhatIf(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench whatif", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), benchWhatIfUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	databaseURL := fs.String("database-url", "", "PostgreSQL server URL (required)")
	cases := fs.Int("cases", 100_000, "cases decided in the year")
	rounds := fs.Int("rounds", 5, "plain reads and replays timed, interleaved, after one read to warm the server's cache")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *databaseURL == "" || *cases < 1 || *rounds < 1 {
		fs.Usage()
		return errUsage
	}
	if err := validatePostgresURL(*databaseURL); err != nil {
		return err
	}
	p, cleanup, err := newProjectionBench(ctx, *databaseURL, "the what-if replay", stdout, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	// Two cases a year per employee on average: enough for some to reach
	// the annual cap or the times per year.
	p.world = casegen.New(1, 40, max(*cases/2, 1))
	year := calendar.Year(time.Now()) - 1
	y := newWhatIfYear(p.world, year, *cases)
	start := time.Now()
	events, err := y.write(ctx, p.store)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	d := time.Since(start)
	fmt.Fprintf(stdout, "generated year=%d cases=%d (approved=%d rejected=%d refused=%d) events=%d in %s (%.0f events/s, %d writers)\n",
		year, *cases, y.approved, y.rejected, y.refused, events, d.Round(time.Millisecond), float64(events)/d.Seconds(), whatIfWriters)
	return timeWhatIf(ctx, p, y, *rounds)
}

// timeWhatIf reads the log once to warm the server's cache, then times
// rounds plain reads and replays, interleaved, and prints each round and
// the medians.
func timeWhatIf(ctx context.Context, p *projectionBench, y *whatIfYear, rounds int) error {
	queries, err := query.New(query.Deps{Store: p.store, Keyring: noPersonalData{}})
	if err != nil {
		return err
	}
	capFen, times := int64(100_000*yuanFen), 6
	req := query.WhatIfRequest{StandardCode: whatIfStandard, From: fmt.Sprintf("%d-01", y.year), To: fmt.Sprintf("%d-12", y.year),
		Draft: whatif.Draft{AnnualCapFen: &capFen, MaxTimesPerYear: &times}}
	start := time.Now()
	read, err := plainReadAll(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.out, "warm-up read: events=%d seconds=%.3f\n", read, time.Since(start).Seconds())
	var readRates, replayRates, replaySeconds, ratios []float64
	var rep query.WhatIfReport
	for round := 1; round <= rounds; round++ {
		start := time.Now()
		read, err := plainReadAll(ctx, p)
		if err != nil {
			return err
		}
		readD := time.Since(start)
		start = time.Now()
		rep, err = queries.WhatIfAsOperator(ctx, "bench whatif", req)
		if err != nil {
			return err
		}
		replayD := time.Since(start)
		if rep.Cases != y.cases() {
			return fmt.Errorf("the replay found %d cases decided in %d, want %d", rep.Cases, y.year, y.cases())
		}
		readRate, replayRate := float64(read)/readD.Seconds(), float64(rep.EventsRead)/replayD.Seconds()
		readRates, replayRates = append(readRates, readRate), append(replayRates, replayRate)
		replaySeconds, ratios = append(replaySeconds, replayD.Seconds()), append(ratios, replayRate/readRate)
		fmt.Fprintf(p.out, "round %d: read events=%d seconds=%.3f events_per_s=%.0f | replay events_read=%d seconds=%.3f events_per_s=%.0f ratio_to_read=%.3f\n",
			round, read, readD.Seconds(), readRate, rep.EventsRead, replayD.Seconds(), replayRate, replayRate/readRate)
	}
	fmt.Fprintf(p.out, "read global order (baseline, median of %d): events_per_s=%.0f\n", rounds, median(readRates))
	fmt.Fprintf(p.out, "what-if replay (median of %d): cases=%d events_read=%d seconds=%.3f events_per_s=%.0f ratio_to_read=%.3f (target: a year of 100000 cases in < 5 s)\n",
		rounds, rep.Cases, rep.EventsRead, median(replaySeconds), median(replayRates), median(ratios))
	fmt.Fprintf(p.out, "the draft: cases=%d current_fen=%d draft_fen=%d delta_fen=%d newly_eligible=%d no_longer_eligible=%d\n",
		rep.Cases, rep.CurrentFen, rep.DraftFen, rep.DeltaFen(), rep.NewlyEligible, rep.NoLongerEligible)
	return nil
}

// plainReadAll reads the whole global order in the pages the replay reads
// it in, decoding nothing: the baseline.
func plainReadAll(ctx context.Context, p *projectionBench) (int, error) {
	read := 0
	for after := int64(0); ; {
		batch, err := p.store.ReadAll(ctx, after, whatIfReadPage)
		if err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			return read, nil
		}
		read += len(batch)
		after = batch[len(batch)-1].Position
	}
}

// whatIfReadPage is the page the replay reads the global order in.
const whatIfReadPage = 5000

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
