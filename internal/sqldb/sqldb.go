// Package sqldb is the one SQL code path for aidtrail's tables other than
// the event log (keys, credentials, sessions, read models): the same
// queries run on PostgreSQL and on the embedded SQLite store. Queries are
// written with PostgreSQL's $1, $2 ... placeholders; the dialect differences
// live here and nowhere else.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
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

// DB is a database/sql handle that knows its dialect. It is safe for
// concurrent use.
type DB struct {
	sql     *sql.DB
	dialect Dialect
}

// FromPool wraps a pgx pool (the PostgreSQL event store's) for database/sql.
// Closing the DB does not close the pool.
func FromPool(pool *pgxpool.Pool) *DB {
	return &DB{sql: stdlib.OpenDBFromPool(pool), dialect: Postgres}
}

// FromSQLite wraps a handle from sqlite.OpenDB.
func FromSQLite(db *sql.DB) *DB { return &DB{sql: db, dialect: SQLite} }

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close releases the handle.
func (db *DB) Close() error { return db.sql.Close() }

// Exec runs a statement written with $n placeholders.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.rebind(query), args...)
}

// Query runs a query written with $n placeholders.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.rebind(query), args...)
}

// QueryRow runs a query expected to return at most one row.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.rebind(query), args...)
}

// Tx is a transaction on a DB, with the same placeholder rules.
type Tx struct {
	tx *sql.Tx
	db *DB
}

// InTx runs fn in a transaction, committing if it returns nil and rolling
// back otherwise.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) (err error) {
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
	return t.tx.PrepareContext(ctx, t.db.rebind(query))
}

// Dialect reports the engine the transaction runs on.
func (t *Tx) Dialect() Dialect { return t.db.dialect }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.db.rebind(query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.db.rebind(query), args...)
}

// QueryRow runs a single-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.rebind(query), args...)
}

// rebind turns $n placeholders into SQLite's ?n. It leaves string
// literals alone; queries here have no dollar-quoted bodies.
func (db *DB) rebind(query string) string {
	if db.dialect != SQLite || !strings.Contains(query, "$") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query))
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
		case c == '$' && !inString && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9':
			c = '?'
		}
		b.WriteByte(c)
	}
	return b.String()
}
