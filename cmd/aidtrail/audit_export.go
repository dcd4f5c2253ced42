package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"aidtrail/adapters/seal"
)

// auditExportConfig is everything audit export needs.
type auditExportConfig struct {
	Out   string
	From  int64
	Store storeConfig
	Log   logConfig
}

func (c *auditExportConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Out, "out", "", "the bundle file to write (required)")
	fs.Int64Var(&c.From, "from", 0, "take the events after this global position, each with its inclusion proof; 0 for the whole log")
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *auditExportConfig) setDefaults(env environment) {
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

// Validate refuses store and log settings that do not hold together.
func (c *auditExportConfig) Validate() error {
	return errors.Join(c.Store.Validate(), c.Log.Validate())
}

// runAudit dispatches aidtrail audit's subcommands.
func runAudit(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: aidtrail audit export --out FILE [--from POSITION] [--data DIR | --database-url URL]")
		return errUsage
	}
	var cfg auditExportConfig
	if err := parseConfig("audit export", &cfg, args[1:], env, stderr); err != nil {
		return err
	}
	if cfg.Out == "" || cfg.From < 0 {
		return errors.New("audit export: --out is required, and --from is a position of 0 or more")
	}
	db, cleanup, err := openMigrated(ctx, cfg.Store, cfg.Log.logger(stderr))
	if err != nil {
		return err
	}
	defer cleanup()
	f, err := os.OpenFile(cfg.Out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("audit export: %w", err)
	}
	n, err := seal.WriteBundle(ctx, db.tables, db.events, f, cfg.From)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(cfg.Out)
		return fmt.Errorf("audit export: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %d events to %s; check it with: aidtrail verify %s --public-key KEY\n", n, cfg.Out, cfg.Out)
	return nil
}
