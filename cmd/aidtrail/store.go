package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"aidtrail/adapters/postgres"
	"aidtrail/adapters/sqlite"
	"aidtrail/commands"
)

// embeddedFile is the SQLite database's name inside --data.
const embeddedFile = "aidtrail.db"

// store is an event store that can bring its own schema up to date.
type store interface {
	commands.EventStore
	Migrate(ctx context.Context) error
}

// openStore opens the store cfg chooses and applies its migrations. The
// cleanup closes it; call it once, after the last use.
func openStore(ctx context.Context, cfg storeConfig, log *slog.Logger) (store, func(), error) {
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL})
		if err != nil {
			return nil, nil, err
		}
		log.Info("event store: PostgreSQL", "url", redact(cfg.DatabaseURL))
		return s, s.Close, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, embeddedFile)
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		return nil, nil, err
	}
	log.Info("event store: embedded", "path", path)
	cleanup := func() {
		if err := s.Close(); err != nil {
			log.Error("close the embedded store", "err", err)
		}
	}
	return s, cleanup, nil
}

// openMigrated opens the store and applies its migrations.
func openMigrated(ctx context.Context, cfg storeConfig, log *slog.Logger) (store, func(), error) {
	s, cleanup, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return s, cleanup, nil
}

// redact hides a URL's password for logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
