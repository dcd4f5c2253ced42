package main

import (
	"context"
	"errors"
	"flag"
	"io"
)

// migrateConfig is everything migrate needs.
type migrateConfig struct {
	Store storeConfig
	Log   logConfig
}

func (c *migrateConfig) setDefaults(env environment) {
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

func (c migrateConfig) Validate() error {
	return errors.Join(c.Store.Validate(), c.Log.Validate())
}

// runMigrate applies the store's migrations and exits. It is safe to run
// while other processes serve: migrations are serialised and each applies
// once.
func runMigrate(ctx context.Context, args []string, env environment, stderr io.Writer) error {
	var cfg migrateConfig
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Store.register(fs)
	cfg.Log.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.setDefaults(env)
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := cfg.Log.logger(stderr)
	_, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	cleanup()
	log.Info("migrations applied")
	return nil
}
