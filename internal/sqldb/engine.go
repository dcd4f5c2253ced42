package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Engine is what differs between the SQL engines behind a DB. Each
// database adapter implements it for its driver.
type Engine interface {
	// Dialect names the engine, for the rare statement that must differ.
	Dialect() Dialect
	// Rebind turns a query written with $1, $2 ... placeholders into one
	// the engine's driver takes.
	Rebind(query string) string
	// LockClause is what a SELECT ends with to lock the rows it reads
	// against other writers until the transaction ends, exclusively (FOR
	// UPDATE) or shared (FOR SHARE); "" on an engine whose write
	// transactions exclude each other already.
	LockClause(exclusive bool) string
	// PrepareRepeated says whether a statement that a transaction runs
	// many times is worth preparing once in it: true where running an
	// unprepared statement parses it anew every time, false where the
	// driver caches prepared statements itself.
	PrepareRepeated() bool
	// Transient says whether err is the database being out of reach for a
	// while (a dropped connection, a server restarting, a lock held too
	// long) rather than the statement's fault: the same work may succeed
	// when tried again later.
	Transient(err error) bool
}

// SerialWriter is an Engine whose transactions exclude each other (SQLite
// begins every one holding the database's write lock). A DB on it queues
// its transactions in process instead of leaving each to wait on the
// engine's lock, which it polls with sleeps that grow longer the more
// writers wait: under load, the queue of one lock in turn is what keeps
// read models moving.
type SerialWriter interface {
	Engine
	SerialWrites()
}

// BulkCopier is an Engine that loads many rows in one statement (COPY).
type BulkCopier interface {
	// CopyFrom loads rows into table's columns over conn, all or none.
	// Values are as database/sql scans them (int64, string, nil ...).
	CopyFrom(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) (int64, error)
}

// ErrNoBulkCopy: the engine has no bulk load.
var ErrNoBulkCopy = errors.New("sqldb: the engine has no bulk copy")

// CopyFrom loads rows into table's columns in one statement, all or none,
// on an engine that is a BulkCopier; otherwise ErrNoBulkCopy.
func (db *DB) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	copier, ok := db.engine.(BulkCopier)
	if !ok {
		return 0, ErrNoBulkCopy
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	n, err := copier.CopyFrom(ctx, conn, table, columns, rows)
	if err != nil {
		return 0, fmt.Errorf("sqldb: copy into %s: %w", table, err)
	}
	return n, nil
}

// CanStage says whether work on db can be staged in a scratch database
// and copied in bulk: db opens scratch databases and bulk-copies.
func (db *DB) CanStage() bool {
	_, copies := db.engine.(BulkCopier)
	return copies && db.scratch != nil
}

// OpenScratch opens a private scratch database, gone when closed, where
// work that would cost a round trip per statement on a server runs at
// memory speed (a read model rebuilt from position 0 before it is copied
// in bulk). It fails for a database given no scratch (WithScratch).
func (db *DB) OpenScratch() (*DB, error) {
	if db.scratch == nil {
		return nil, errors.New("sqldb: no scratch database for this database")
	}
	return db.scratch()
}

// NumberedQuestionMarks turns $n placeholders into ?n, as SQLite takes
// them. It leaves string literals alone; aidtrail's queries have no
// dollar-quoted bodies.
func NumberedQuestionMarks(query string) string {
	if !strings.Contains(query, "$") {
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
