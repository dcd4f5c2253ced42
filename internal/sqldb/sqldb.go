// Package sqldb is the one SQL code path for aidtrail's tables other than
// the event log (keys, credentials, sessions, read models): the same
// queries run on PostgreSQL and on the embedded SQLite store. Queries are
// written with PostgreSQL's $1, $2 ... placeholders. What differs between
// the engines sits behind Engine, which each database adapter implements
// (adapters/postgres, adapters/sqlite), so this package, and the
// projections and use cases above it, import no database driver.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	Postgres Dialect = iota + 1
	SQLite
)

func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	default:
		return fmt.Sprintf("dialect(%d)", int(d))
	}
}

// DB is a database/sql handle with the engine behind it. It is safe for
// concurrent use.
type DB struct {
	sql     *sql.DB
	engine  Engine
	scratch func() (*DB, error)
	// writer, on an engine of one writer at a time (SerialWriter), is
	// held by the transaction under way: the others queue for it here
	// rather than poll the engine's lock.
	writer chan struct{}
}

// New wraps db, a handle on engine's driver.
func New(db *sql.DB, engine Engine) *DB {
	out := &DB{sql: db, engine: engine}
	if _, serial := engine.(SerialWriter); serial {
		out.writer = make(chan struct{}, 1)
	}
	return out
}

// WithScratch returns the same database that can also open scratch
// databases with open (see OpenScratch).
func (db *DB) WithScratch(open func() (*DB, error)) *DB {
	c := *db
	c.scratch = open
	return &c
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.engine.Dialect() }

// Engine is what differs about the engine behind db.
func (db *DB) Engine() Engine { return db.engine }

// Close releases the handle.
func (db *DB) Close() error { return db.sql.Close() }

// Exec runs a statement written with $n placeholders.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.engine.Rebind(query), args...)
}

// Query runs a query written with $n placeholders.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.engine.Rebind(query), args...)
}

// QueryRow runs a query expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.engine.Rebind(query), args...)
}

// Tx is a transaction on a DB, with the same placeholder rules.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// InTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise.
//
// On a SerialWriter engine, transactions of one DB run one at a time, in
// the order they asked: fn must not start another transaction on db.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
	if db.writer != nil {
		select {
		case db.writer <- struct{}{}:
			defer func() { <-db.writer }()
		case <-ctx.Done():
			return fmt.Errorf("begin: %w", context.Cause(ctx))
		}
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if err := fn(&Tx{tx: tx, db: db}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// Prepare prepares a statement for repeated use in the transaction; it is
// closed when the transaction ends.
func (t *Tx) Prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.tx.PrepareContext(ctx, t.db.engine.Rebind(query))
}

// Dialect reports the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.db.Dialect() }

// Engine is what differs about the engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.db.engine }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.engine.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.engine.Rebind(query), args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.engine.Rebind(query), args...)
}
