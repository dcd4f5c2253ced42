package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/adapters/postgres"
	"aidtrail/adapters/sqlite"
)

// cleanupTimeout bounds removing the benchmark's data, which runs even
// after the benchmark was interrupted.
const cleanupTimeout = 30 * time.Second

// The baseline tables have the event table's column types for the bytes an
// append writes, and a primary key on the event id.
const (
	postgresBaselineTable = `CREATE TABLE bench_insert (
		event_id  uuid  PRIMARY KEY,
		stream_id text  NOT NULL,
		type      text  NOT NULL,
		data      json NOT NULL,
		metadata  json NOT NULL)`
	postgresBaselineInsert = `INSERT INTO bench_insert (event_id, stream_id, type, data, metadata)
		VALUES ($1, $2, $3, $4::json, $5::json)`

	// The read baselines select the columns the store reads, in the same
	// pages, and take each row as the driver delivers it, undecoded.
	postgresBaselineSelect = `SELECT position, event_id, stream_id, version, type, data,
		actor_account_id, actor_name, actor_position_id, actor_unit_id,
		command_id, correlation_id, causation_id, occurred_at, schema_version, recorded_at
		FROM events WHERE position > $1 ORDER BY position LIMIT $2`
	sqliteBaselineSelect = `SELECT position, event_id, stream_id, version, type, data, metadata, recorded_at
		FROM events WHERE position > ? ORDER BY position LIMIT ?`

	sqliteBaselineTable = `CREATE TABLE bench_insert (
		event_id  TEXT PRIMARY KEY,
		stream_id TEXT NOT NULL,
		type      TEXT NOT NULL,
		data      TEXT NOT NULL,
		metadata  TEXT NOT NULL) STRICT`
	sqliteBaselineInsert = `INSERT INTO bench_insert (event_id, stream_id, type, data, metadata)
		VALUES (?, ?, ?, ?, ?)`
)

// OpenPostgres creates a fresh schema named aidtrail_bench_<random> on the
// server at serverURL, and in it the event store (with a pool of poolSize
// connections) and the baseline table, which inserts through the store's
// own pool. Close drops the schema, so the benchmark never touches other
// data on the server.
func OpenPostgres(ctx context.Context, serverURL string, poolSize int32) (*Target, error) {
	schemaURL, schema, drop, err := NewSchema(ctx, serverURL)
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, postgres.Config{URL: schemaURL, MaxConns: poolSize})
	if err != nil {
		return nil, errors.Join(err, drop(ctx))
	}
	fail := func(err error) (*Target, error) {
		st.Close()
		return nil, errors.Join(err, drop(ctx))
	}
	if err := st.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrate: %w", err))
	}
	pool := st.Pool()
	if _, err := pool.Exec(ctx, postgresBaselineTable); err != nil {
		return fail(fmt.Errorf("create baseline table: %w", err))
	}
	return &Target{
		Name:  "postgres",
		Where: "schema " + schema,
		Store: st,
		Insert: func(ctx context.Context, r Row) error {
			_, err := pool.Exec(ctx, postgresBaselineInsert, r.ID, r.Stream, r.Type, r.Data, r.Metadata)
			return err
		},
		PlainRead: func(ctx context.Context, after int64, limit int) (int, int64, error) {
			rows, err := pool.Query(ctx, postgresBaselineSelect, after, limit)
			if err != nil {
				return 0, 0, err
			}
			defer rows.Close()
			n, last, kept := 0, after, make([][]byte, 0, 16)
			for rows.Next() {
				kept = kept[:0]
				for _, v := range rows.RawValues() {
					kept = append(kept, append([]byte(nil), v...))
				}
				// The position, an int8, arrives in binary: 8 bytes.
				if len(kept[0]) != 8 {
					return 0, 0, fmt.Errorf("position of %d bytes", len(kept[0]))
				}
				last = int64(binary.BigEndian.Uint64(kept[0]))
				n++
			}
			return n, last, rows.Err()
		},
		close: func(ctx context.Context) error {
			st.Close()
			return drop(ctx)
		},
	}, nil
}

// NewSchema creates a schema named aidtrail_bench_<random> on the server
// and returns a URL whose connections use it, its name, and a function that
// drops it with everything in it.
func NewSchema(ctx context.Context, serverURL string) (schemaURL, schema string, drop func(context.Context) error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", nil, errors.New("database URL: want postgres://user@host:port/db")
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix) // never fails
	schema = "aidtrail_bench_" + hex.EncodeToString(suffix)
	if err := adminExec(ctx, serverURL, "CREATE SCHEMA "+schema); err != nil {
		return "", "", nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	drop = func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := adminExec(ctx, serverURL, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("drop schema %s: %w", schema, err)
		}
		return nil
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as settings
	u.RawQuery = q.Encode()
	return u.String(), schema, drop, nil
}

// adminExec runs one statement on its own connection to serverURL.
func adminExec(ctx context.Context, serverURL, sql string) error {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// OpenEmbedded creates a temporary directory holding the embedded store and,
// in a separate file opened with the store's settings (sqlite.OpenDB), the
// baseline table. Close removes the directory.
func OpenEmbedded(ctx context.Context) (*Target, error) {
	dir, err := os.MkdirTemp("", "aidtrail-bench-")
	if err != nil {
		return nil, err
	}
	removeDir := func() error { return os.RemoveAll(dir) }

	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "aidtrail.db")})
	if err != nil {
		return nil, errors.Join(err, removeDir())
	}
	var db *sql.DB
	fail := func(err error) (*Target, error) {
		if db != nil {
			err = errors.Join(err, db.Close())
		}
		return nil, errors.Join(err, st.Close(), removeDir())
	}
	if err := st.Migrate(ctx); err != nil {
		return fail(fmt.Errorf("migrate: %w", err))
	}
	events, err := sqlite.OpenDB(filepath.Join(dir, "aidtrail.db"))
	if err != nil {
		return fail(fmt.Errorf("open the events for reading: %w", err))
	}
	if db, err = sqlite.OpenDB(filepath.Join(dir, "baseline.db")); err != nil {
		_ = events.Close()
		return fail(fmt.Errorf("open baseline: %w", err))
	}
	// SQLite admits one writer at a time. Like the store's writer, the
	// baseline queues its writers on one connection; several connections
	// would wait in SQLite's busy handler, which sleeps in steps of up to
	// 100ms and would make the baseline look slower than it can be.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, sqliteBaselineTable); err != nil {
		return fail(fmt.Errorf("create baseline table: %w", err))
	}
	return &Target{
		Name:  "embedded",
		Where: "directory " + dir,
		Store: st,
		Insert: func(ctx context.Context, r Row) error {
			_, err := db.ExecContext(ctx, sqliteBaselineInsert, r.ID.String(), r.Stream, r.Type, r.Data, r.Metadata)
			return err
		},
		PlainRead: func(ctx context.Context, after int64, limit int) (int, int64, error) {
			return plainSQLiteRead(ctx, events, after, limit)
		},
		close: func(context.Context) error {
			return errors.Join(events.Close(), db.Close(), st.Close(), removeDir())
		},
	}, nil
}

// plainSQLiteRead reads a page of the events table as the baseline of the
// store's read: the same columns, each row's values as raw bytes.
func plainSQLiteRead(ctx context.Context, db *sql.DB, after int64, limit int) (int, int64, error) {
	rows, err := db.QueryContext(ctx, sqliteBaselineSelect, after, limit)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var (
		n                   int
		last                = after
		id, stream, typ, at sql.RawBytes
		version             int64
		data, metadata      sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&last, &id, &stream, &version, &typ, &data, &metadata, &at); err != nil {
			return 0, 0, err
		}
		n++
	}
	return n, last, rows.Err()
}
