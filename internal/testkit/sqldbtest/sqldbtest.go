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
	_, db, _ := PostgresStore(t)
	return db
}

// SQLite returns a migrated database in a fresh file.
func SQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	_, db := SQLiteStore(t)
	return db
}

// PostgresStore opens the event store, migrated, in a private schema of
// the test server, and returns it with its tables (scratch work in
// in-memory SQLite) and the schema's URL. Both are closed when t ends.
func PostgresStore(t testing.TB) (*postgres.Store, *sqldb.DB, string) {
	t.Helper()
	url := pgtest.NewSchema(t)
	store, err := postgres.Open(t.Context(), postgres.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	db := store.Tables().WithScratch(sqlite.OpenMemory)
	t.Cleanup(func() { _ = db.Close() })
	return store, db, url
}

// SQLiteStore opens the embedded event store, migrated, in a fresh file,
// and returns it with its tables. Both are closed when t ends.
func SQLiteStore(t testing.TB) (*sqlite.Store, *sqldb.DB) {
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
	return store, db
}
