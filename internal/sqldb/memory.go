package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// OpenMemory opens a private in-memory SQLite database, gone when closed:
// scratch space where work that would cost a round trip per statement on
// a server runs at memory speed (a read model rebuilt from position 0
// before it is copied in bulk). It holds one connection, which is the
// database.
func OpenMemory() (*DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("sqldb: open in-memory database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return &DB{sql: db, dialect: SQLite}, nil
}

// CopyFrom loads rows into table's columns with PostgreSQL's COPY, in one
// statement: all rows or none. Values are as database/sql scans them from
// a query (int64, string, nil...). PostgreSQL only.
func (db *DB) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	if db.dialect != Postgres {
		return 0, errors.New("sqldb: COPY needs PostgreSQL")
	}
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqldb: COPY needs a pgx connection, not %T", driverConn)
		}
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqldb: copy into %s: %w", table, err)
	}
	return n, nil
}
