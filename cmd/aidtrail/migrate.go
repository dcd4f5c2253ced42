package main

import (
	"context"
	"io"
)

// runMigrate applies the store's migrations and exits. It is safe to run
// while other processes serve: migrations are serialised and each applies
// once.
func runMigrate(ctx context.Context, args []string, env environment, stderr io.Writer) error {
	var cfg storeLogConfig
	if err := parseConfig("migrate", &cfg, args, env, stderr); err != nil {
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
