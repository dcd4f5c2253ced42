package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
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
