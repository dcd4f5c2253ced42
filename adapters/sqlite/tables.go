package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"aidtrail/internal/sqldb"
)

// OpenTables opens the tables beside the event log (keys, credentials,
// sessions, read models) in the database file at path, with SQLite's
// Engine. Close it when done.
func OpenTables(path string) (*sqldb.DB, error) {
	db, err := OpenDB(path)
	if err != nil {
		return nil, err
	}
	// Every connection opened reads the schema anew (hundreds of
	// read-model tables and views), so the pool keeps the connections it
	// opens rather than database/sql's two.
	db.SetMaxIdleConns(maxTableConns)
	db.SetMaxOpenConns(maxTableConns)
	return sqldb.New(db, Engine{}), nil
}

// maxTableConns bounds the connections of the tables' pool: one writer at
// a time, and readers beside it (WAL).
const maxTableConns = 16

// OpenMemory opens a private in-memory database, gone when closed: a
// scratch database (sqldb.DB.WithScratch) where work that would cost a
// round trip per statement on a server runs at memory speed. It holds one
// connection, which is the database.
func OpenMemory() (*sqldb.DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open an in-memory database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return sqldb.New(db, Engine{}), nil
}

// Engine is SQLite's sqldb.Engine.
type Engine struct{}

// Dialect implements sqldb.Engine.
func (Engine) Dialect() sqldb.Dialect { return sqldb.SQLite }

// Rebind implements sqldb.Engine: SQLite takes ?n.
func (Engine) Rebind(query string) string { return sqldb.NumberedQuestionMarks(query) }

// LockClause implements sqldb.Engine: a write transaction (BEGIN
// IMMEDIATE) excludes every other writer already.
func (Engine) LockClause(bool) string { return "" }

// Transient implements sqldb.Engine: the database busy or locked by
// another connection beyond the busy timeout.
func (Engine) Transient(err error) bool {
	var liteErr *sqlite.Error
	if !errors.As(err, &liteErr) {
		return false
	}
	switch liteErr.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return true
	}
	return false
}

// SerialWrites implements sqldb.SerialWriter: every transaction begins
// IMMEDIATE, holding the write lock (see OpenDB).
func (Engine) SerialWrites() {}

// PrepareRepeated implements sqldb.Engine: SQLite parses an unprepared
// statement anew each time it runs, which costs more than running it.
func (Engine) PrepareRepeated() bool { return true }
