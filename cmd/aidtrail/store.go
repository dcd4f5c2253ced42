package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"aidtrail/adapters/kurrentdb"
	"aidtrail/adapters/postgres"
	"aidtrail/adapters/sqlite"
	"aidtrail/commands"
	"aidtrail/internal/sqldb"
)

// embeddedFile is the SQLite database's name inside --data.
const embeddedFile = "aidtrail.db"

// store is an event store that can bring its own schema up to date.
type store interface {
	commands.EventStore
	Migrate(ctx context.Context) error
}

// database is the event store and the handle to the same database's
// other tables (keys, credentials, sessions).
type database struct {
	events store
	tables *sqldb.DB
}

// openStore opens the store cfg chooses. The cleanup closes it; call it
// once, after the last use.
func openStore(ctx context.Context, cfg storeConfig, log *slog.Logger) (database, func(), error) {
	if cfg.EventStore != "" {
		return openKurrent(ctx, cfg, log)
	}
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL, Logger: log})
		if err != nil {
			return database{}, nil, err
		}
		log.Info("event store: PostgreSQL", "url", redact(cfg.DatabaseURL))
		tables := postgresTables(s)
		return database{s, tables}, func() { _ = tables.Close(); s.Close() }, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return database{}, nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(cfg.DataDir, embeddedFile)
	s, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		return database{}, nil, err
	}
	tables, err := sqlite.OpenTables(path)
	if err != nil {
		_ = s.Close()
		return database{}, nil, err
	}
	log.Info("event store: embedded", "path", path)
	cleanup := func() {
		_ = tables.Close()
		if err := s.Close(); err != nil {
			log.Error("close the embedded store", "err", err)
		}
	}
	return database{s, tables}, cleanup, nil
}

// kurrentEvents keeps the events in KurrentDB. Its Migrate brings the
// tables' database (PostgreSQL or embedded) up to date; KurrentDB needs
// no schema.
type kurrentEvents struct {
	*kurrentdb.Store
	tables store
}

func (k kurrentEvents) Migrate(ctx context.Context) error { return k.tables.Migrate(ctx) }

// openKurrent opens the tables' database as without --eventstore and the
// KurrentDB event store beside it.
func openKurrent(ctx context.Context, cfg storeConfig, log *slog.Logger) (database, func(), error) {
	rest := cfg
	rest.EventStore = ""
	db, cleanup, err := openStore(ctx, rest, log)
	if err != nil {
		return database{}, nil, err
	}
	k, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: cfg.EventStore, Logger: log})
	if err != nil {
		cleanup()
		return database{}, nil, err
	}
	log.Info("event store: KurrentDB", "url", redact(cfg.EventStore))
	return database{kurrentEvents{k, db.events}, db.tables}, func() { _ = k.Close(); cleanup() }, nil
}

// postgresTables is the handle on the tables beside s's event log, with
// in-memory SQLite as the scratch database read models are rebuilt in
// before they are copied in bulk.
func postgresTables(s *postgres.Store) *sqldb.DB {
	return s.Tables().WithScratch(sqlite.OpenMemory)
}

// openMigrated opens the store and applies its migrations.
func openMigrated(ctx context.Context, cfg storeConfig, log *slog.Logger) (database, func(), error) {
	db, cleanup, err := openStore(ctx, cfg, log)
	if err != nil {
		return database{}, nil, err
	}
	if err := db.events.Migrate(ctx); err != nil {
		cleanup()
		return database{}, nil, fmt.Errorf("migrate: %w", err)
	}
	return db, cleanup, nil
}

// redact hides a URL's password for logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
