package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"aidtrail/internal/sqldb"
)

// Tables returns a database/sql handle on the store's pool for the tables
// beside the event log (keys, credentials, sessions, read models), with
// PostgreSQL's Engine. Each call makes a new handle; close it when done
// (the pool stays open until the store closes).
func (s *Store) Tables() *sqldb.DB {
	return sqldb.New(stdlib.OpenDBFromPool(s.pool), Engine{})
}

// Engine is PostgreSQL's sqldb.Engine, with bulk loads by COPY.
type Engine struct{}

// Dialect implements sqldb.Engine.
func (Engine) Dialect() sqldb.Dialect { return sqldb.Postgres }

// Rebind implements sqldb.Engine: PostgreSQL takes $n as it is.
func (Engine) Rebind(query string) string { return query }

// LockClause implements sqldb.Engine.
func (Engine) LockClause(exclusive bool) string {
	if exclusive {
		return " FOR UPDATE"
	}
	return " FOR SHARE"
}

// PrepareRepeated implements sqldb.Engine: pgx caches prepared statements
// per connection itself.
func (Engine) PrepareRepeated() bool { return false }

// Transient implements sqldb.Engine: a connection that failed or broke,
// a server shutting down, starting or out of connections, and a
// serialisation failure or deadlock are worth trying again.
func (Engine) Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller's own deadline, not the database's absence
	}
	var coded interface{ SQLState() string } // pgx's *pgconn.PgError, lib/pq's *pq.Error (watermill-sql)
	if errors.As(err, &coded) {
		switch code := coded.SQLState(); {
		case strings.HasPrefix(code, "08"), // connection exception
			strings.HasPrefix(code, "57P"), // operator intervention: shutdown, starting up
			code == "53300",                // too many connections
			code == "40001", code == "40P01":
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// CopyFrom implements sqldb.BulkCopier with COPY, on conn's pgx connection.
func (Engine) CopyFrom(ctx context.Context, conn *sql.Conn, table string, columns []string, rows [][]any) (int64, error) {
	var n int64
	err := conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("COPY needs a pgx connection, not %T", driverConn)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
	return n, err
}
