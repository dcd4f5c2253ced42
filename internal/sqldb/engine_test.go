package sqldb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// The conformance of each engine behind sqldb.DB (PostgreSQL and SQLite,
// as the adapters implement sqldb.Engine): what read models, keys and
// sessions rely on, run against the real engines.

func createT(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if _, err := db.Exec(t.Context(), `CREATE TABLE conformance_t (k TEXT PRIMARY KEY, v BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
}

func valueOf(t *testing.T, db *sqldb.DB, k string) int64 {
	t.Helper()
	var v int64
	if err := db.QueryRow(t.Context(), `SELECT v FROM conformance_t WHERE k = $1`, k).Scan(&v); err != nil {
		t.Fatalf("read %s: %v", k, err)
	}
	return v
}

// $n placeholders bind by number, in any order and repeated; a '$1' inside
// a string literal is text.
func TestEnginePlaceholders(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		createT(t, db)
		ctx := t.Context()
		if _, err := db.Exec(ctx, `INSERT INTO conformance_t (v, k) VALUES ($2, $1)`, "a", 5); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM conformance_t WHERE k = $1 AND k <> '$1' AND v = $2 AND v >= $2`, "a", 5).Scan(&n); err != nil || n != 1 {
			t.Fatalf("count = %d, %v; want 1", n, err)
		}
	})
}

// A transaction whose function fails leaves nothing; an upsert adds to the
// row it meets.
func TestEngineTransactionsAndUpsert(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		createT(t, db)
		ctx := t.Context()
		boom := errors.New("boom")
		err := db.InTx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO conformance_t (k, v) VALUES ($1, $2)`, "gone", 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the function's error", err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM conformance_t`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after a failed transaction: %d rows, %v", n, err)
		}
		for range 3 {
			if _, err := db.Exec(ctx, `INSERT INTO conformance_t (k, v) VALUES ($1, $2)
				ON CONFLICT (k) DO UPDATE SET v = conformance_t.v + excluded.v`, "sum", 4); err != nil {
				t.Fatal(err)
			}
		}
		if v := valueOf(t, db, "sum"); v != 12 {
			t.Fatalf("three upserts of 4: %d", v)
		}
	})
}

// A row read with the engine's exclusive lock clause cannot be read so by
// another transaction until the first ends: two read-modify-write
// transactions never lose an update.
func TestEngineLockClauseSerialisesWriters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		createT(t, db)
		ctx := t.Context()
		if _, err := db.Exec(ctx, `INSERT INTO conformance_t (k, v) VALUES ('n', 0)`); err != nil {
			t.Fatal(err)
		}
		lock := db.Engine().LockClause(true)
		increment := func(hold time.Duration, locked chan<- struct{}) error {
			return db.InTx(ctx, func(tx *sqldb.Tx) error {
				var v int64
				if err := tx.QueryRow(ctx, `SELECT v FROM conformance_t WHERE k = 'n'`+lock).Scan(&v); err != nil {
					return err
				}
				if locked != nil {
					close(locked)
				}
				time.Sleep(hold)
				_, err := tx.Exec(ctx, `UPDATE conformance_t SET v = $1 WHERE k = 'n'`, v+1)
				return err
			})
		}
		// SQLite's write transactions take the database at BEGIN, so the
		// first may only start once the other has begun: either way one
		// waits for the other.
		locked := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = increment(150*time.Millisecond, locked) })
		<-locked
		wg.Go(func() { errs[1] = increment(0, nil) })
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if v := valueOf(t, db, "n"); v != 2 {
			t.Fatalf("two locked increments left %d, want 2: an update was lost", v)
		}
	})
}

// Bulk copy: all rows or none where the engine has it (PostgreSQL's COPY);
// ErrNoBulkCopy where it has not. A database stages in a scratch database
// only where it bulk-copies and was given one.
func TestEngineBulkCopy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		createT(t, db)
		ctx := context.Background()
		_, copies := db.Engine().(sqldb.BulkCopier)
		n, err := db.CopyFrom(ctx, "conformance_t", []string{"k", "v"}, [][]any{{"a", int64(1)}, {"b", int64(2)}})
		if !copies {
			if !errors.Is(err, sqldb.ErrNoBulkCopy) || db.CanStage() {
				t.Fatalf("CopyFrom on %s = %d, %v (CanStage %v); want ErrNoBulkCopy and no staging", db.Dialect(), n, err, db.CanStage())
			}
			return
		}
		if err != nil || n != 2 {
			t.Fatalf("CopyFrom = %d, %v", n, err)
		}
		if _, err := db.CopyFrom(ctx, "conformance_t", []string{"k", "v"}, [][]any{{"c", int64(3)}, {"a", int64(9)}}); err == nil {
			t.Fatal("a copy with a duplicate key succeeded")
		}
		var count int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM conformance_t`).Scan(&count); err != nil || count != 2 {
			t.Fatalf("after a failed copy: %d rows, %v; want the first copy's 2", count, err)
		}
		if !db.CanStage() {
			t.Fatal("a bulk-copying database given a scratch database cannot stage")
		}
		scratch, err := db.OpenScratch()
		if err != nil {
			t.Fatal(err)
		}
		defer scratch.Close()
		if _, err := scratch.Exec(ctx, `CREATE TABLE s (x INTEGER)`); err != nil {
			t.Fatalf("scratch database: %v", err)
		}
	})
}
