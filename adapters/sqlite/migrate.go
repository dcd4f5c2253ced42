package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"aidtrail/adapters/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies the embedded migrations that the database has not seen,
// in order, and records each in the schema_migrations table. All of them run
// in one IMMEDIATE transaction (SQLite's DDL is transactional), so a failure
// leaves the schema as it was, and several processes migrating one file at
// once apply each migration exactly once. It is a no-op when the schema is
// current. Appends wait while it runs.
func (s *Store) Migrate(ctx context.Context) error {
	list, err := migrations.List(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it only reports ErrTxDone

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at TEXT    NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: create schema_migrations: %w", err)
	}
	for _, m := range list {
		if err := apply(ctx, tx, m); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: commit: %w", err)
	}
	return nil
}

func apply(ctx context.Context, tx *sql.Tx, m migrations.Migration) error {
	var done bool
	err := tx.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)", m.Version).Scan(&done)
	if err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", m.Name, err)
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: migrate %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, formatTime(time.Now())); err != nil {
		return fmt.Errorf("sqlite: migrate %s: record: %w", m.Name, err)
	}
	return nil
}
