package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"aidtrail/adapters/watermillsql"
	"aidtrail/projections"
)

// runProject is a projection worker: it applies what `aidtrail serve
// --broker postgres` forwards, for every projection, until ctx ends. Run
// as many as wanted; they compete for batches and the checkpoints keep
// each event's effect single.
func runProject(ctx context.Context, args []string, env environment, stderr io.Writer) error {
	var cfg storeLogConfig
	if err := parseConfig("project", &cfg, args, env, stderr); err != nil {
		return err
	}
	if cfg.Store.DatabaseURL == "" {
		return errors.New("project needs --database-url: workers share the event store's PostgreSQL database")
	}
	log := cfg.Log.logger(stderr)
	db, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer cleanup()
	broker, err := watermillsql.New(ctx, watermillsql.Config{URL: cfg.Store.DatabaseURL})
	if err != nil {
		return err
	}
	defer func() { _ = broker.Close() }()
	runner, err := newRunner(db, broker, log)
	if err != nil {
		return err
	}
	log.Info("projecting", "projections", strings.Join(runner.Names(), ","))
	return runner.Consume(ctx)
}

// runRebuild builds projections afresh from position 0 beside the live
// ones and switches to each when caught up; reads keep working throughout.
// It takes the projection's name before or after its flags, or --all.
func runRebuild(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	var cfg storeLogConfig
	fs := flag.NewFlagSet("rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	all := fs.Bool("all", false, "rebuild every projection, one after another")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: aidtrail rebuild [flags] PROJECTION|--all\nprojections: %s\n", strings.Join(names(), ", "))
		fs.PrintDefaults()
	}
	chosen, err := parseWithArguments(fs, args)
	if err != nil {
		return err
	}
	if *all {
		if len(chosen) > 0 {
			fmt.Fprintln(stderr, "rebuild: name projections or give --all, not both")
			return errUsage
		}
		chosen = names()
	}
	if len(chosen) == 0 {
		fs.Usage()
		return errUsage
	}
	for _, name := range chosen {
		if !slices.Contains(names(), name) {
			fmt.Fprintf(stderr, "rebuild: no projection %q\n", name)
			fs.Usage()
			return errUsage
		}
	}
	cfg.setDefaults(env)
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := cfg.Log.logger(stderr)
	db, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer cleanup()
	var ps []projections.Projection
	for _, name := range chosen {
		ps = append(ps, projections.All()[slices.Index(names(), name)])
	}
	// One pass over the log feeds every chosen projection.
	start, last := time.Now(), time.Now()
	gens, err := projections.RebuildAll(ctx, db.tables, db.events, ps, func(pos int64, events int) {
		if time.Since(last) > 2*time.Second {
			last = time.Now()
			log.Info("rebuilding", "projections", chosen, "position", pos, "events", events)
		}
	})
	if err != nil {
		return err
	}
	for i, name := range chosen {
		fmt.Fprintf(stdout, "projection %s rebuilt as generation %d in %s\n", name, gens[i], time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func names() []string {
	var out []string
	for _, p := range projections.All() {
		out = append(out, p.Name())
	}
	return out
}
