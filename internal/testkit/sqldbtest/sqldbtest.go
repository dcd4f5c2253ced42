// Package sqldbtest runs a test against both SQL engines: a private schema
// of the real PostgreSQL server (see pgtest) and a fresh embedded SQLite
// file, each migrated by its event store's migrations.
package sqldbtest

import (
	"path/filepath"
	"testing"

	"aidtrail/adapters/postgres"
	"aidtrail/adapters/sqlite"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/pgtest"
)

// Each runs fn as a subtest per dialect ("postgres", "sqlite").
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
}

// Postgres returns a migrated database in a private schema.
func Postgres(t testing.TB) *sqldb.DB {
	t.Helper()
	store, err := postgres.Open(t.Context(), postgres.Config{URL: pgtest.NewSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	db := store.Tables().WithScratch(sqlite.OpenMemory)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// SQLite returns a migrated database in a fresh file.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aidtrail.db")
	store, err := sqlite.Open(t.Context(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.OpenTables(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
