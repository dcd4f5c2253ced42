package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"aidtrail/adapters/sqlite"
	"aidtrail/internal/sqldb"
)

// Read models on the embedded store write from many goroutines at once
// (one per projection, the service's commands, the self-check), each in a
// transaction that holds the file's write lock. More writers than cores,
// each holding the lock for a while, all get through: none fails with the
// database busy, none waits out the busy timeout, and every increment
// counts once.
func TestTablesQueueTheirWriters(t *testing.T) {
	db, err := sqlite.OpenTables(filepath.Join(t.TempDir(), "tables.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ctx := t.Context()
	if _, err := db.Exec(ctx, "CREATE TABLE counter (n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, "INSERT INTO counter (n) VALUES (0)"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 24, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				err := db.InTx(ctx, func(tx *sqldb.Tx) error {
					var n int
					if err := tx.QueryRow(ctx, "SELECT n FROM counter").Scan(&n); err != nil {
						return err
					}
					time.Sleep(2 * time.Millisecond) // a projection's batch takes a while
					_, err := tx.Exec(ctx, "UPDATE counter SET n = $1", n+1)
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := errors.Join(func() (all []error) {
		for err := range errs {
			all = append(all, err)
		}
		return all
	}()...); err != nil {
		t.Fatalf("transactions failed: %v", err)
	}
	var n int
	if err := db.QueryRow(ctx, "SELECT n FROM counter").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("counter = %d, want %d", n, writers*each)
	}
}

// A transaction waiting its turn gives up when its context ends, without
// taking the lock from the one under way.
func TestTablesWaitingWriterHonoursItsContext(t *testing.T) {
	db, err := sqlite.OpenTables(filepath.Join(t.TempDir(), "tables.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.InTx(t.Context(), func(*sqldb.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err = db.InTx(ctx, func(*sqldb.Tx) error { return errors.New("ran while another held the lock") })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting writer: %v, want the deadline", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
