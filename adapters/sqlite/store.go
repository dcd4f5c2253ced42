// Package sqlite is aidtrail's embedded event store: one SQLite file, opened
// through modernc.org/sqlite (pure Go, no cgo).
//
// SQLite admits one writer at a time, so the Store has exactly one: a
// goroutine that takes every append and multi-stream transaction (Commit)
// waiting at that moment, runs each inside its own SAVEPOINT of one
// IMMEDIATE transaction and commits them with a single fsync (group commit).
// A refused append or transaction rolls back only its own savepoint.
// Commits are durable (WAL with synchronous=FULL): an append that returned
// is on disk and survives a power loss.
//
// Reads use a separate pool of connections; in WAL mode they run beside the
// writer and see only committed transactions. With a single writer, commit
// order is position order, so a reader of the global order never passes a
// position that could still commit.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"aidtrail/adapters/internal/subscription"
)

// Config says where the database is.
type Config struct {
	// Path is the database file. It is created if missing; the WAL and
	// shared-memory files live beside it (Path-wal, Path-shm).
	Path string
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("sqlite: Path is required"))
	}
	if c.Path == ":memory:" || strings.HasPrefix(c.Path, "file:") {
		errs = append(errs, fmt.Errorf("sqlite: Path %q must be a file name: each connection of an in-memory or URI database may see another database", c.Path))
	}
	if strings.ContainsRune(c.Path, '?') {
		errs = append(errs, fmt.Errorf("sqlite: Path %q must not contain '?'", c.Path))
	}
	return errors.Join(errs...)
}

// Synchronous settings of SQLite, for the benchmarks that compare them. The
// Store always uses syncFull.
const (
	syncFull   = "FULL"
	syncNormal = "NORMAL"
)

// busyTimeoutMS is how long a connection waits for a lock held by another
// process (another aidtrail sharing the file, an analyst's tool) before it
// fails with SQLITE_BUSY.
const busyTimeoutMS = 5000

// OpenDB opens a database/sql handle on path with the settings every
// connection of the Store has: WAL journal, synchronous=FULL (a commit is
// on disk before it returns), a busy timeout, foreign keys on, and
// transactions that begin IMMEDIATE (they take the write lock at BEGIN, so
// two writers queue instead of failing at their first write).
//
// It does not connect or create the file; the first use does. The caller
// owns the handle and closes it.
func OpenDB(path string) (*sql.DB, error) {
	return openDB(path, syncFull)
}

func openDB(path, synchronous string) (*sql.DB, error) {
	if err := (Config{Path: path}).Validate(); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	return db, nil
}

// maxBatch bounds how many requests (appends or transactions) one database
// transaction commits together, so that one commit's latency stays bounded
// under a flood of appends.
const maxBatch = 256

// Store is the embedded event store. All its methods are safe for concurrent
// use. Several Stores (or processes) may open one file: SQLite's lock
// serialises their writers; subscribers are woken at once only by appends of
// their own Store and find the others' within a poll interval.
type Store struct {
	path       string
	write      *sql.DB // one connection, used only by the writer goroutine and Migrate
	read       *sql.DB // the readers' pool
	wake       *subscription.Signal
	reqs       chan *writeReq // unbuffered: a send is an Append or Commit waiting for the writer
	closing    chan struct{}  // closed by Close: the writer finishes its batch and stops
	stopped    chan struct{}  // closed when the writer has stopped
	batchLimit int            // requests per transaction; 1 turns group commit off (benchmarks)

	// largestBatch is the most requests one transaction has committed
	// together, for tests and benchmarks.
	largestBatch atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

// Open opens (creating if needed) the database at cfg.Path and starts the
// writer. It does not change the schema: call Migrate. ctx bounds only the
// opening; the Store lives until Close.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	return open(ctx, cfg, syncFull, maxBatch)
}

func open(ctx context.Context, cfg Config, synchronous string, batch int) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	write, err := openDB(cfg.Path, synchronous)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer connects first: it switches a new file to WAL, which the
	// readers then find done.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", cfg.Path, err)
	}
	read, err := openDB(cfg.Path, synchronous)
	if err != nil {
		write.Close()
		return nil, err
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	if err := read.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", cfg.Path, err)
	}
	s := &Store{
		path:       cfg.Path,
		write:      write,
		read:       read,
		wake:       subscription.NewSignal(),
		reqs:       make(chan *writeReq),
		closing:    make(chan struct{}),
		stopped:    make(chan struct{}),
		batchLimit: batch,
	}
	go s.writeLoop(context.WithoutCancel(ctx))
	return s, nil
}

// Close stops the writer once its current batch has committed, then closes
// the database. Appends waiting for the writer fail; reads and
// subscriptions in flight fail. Close is idempotent: later calls return the
// first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.stopped
		s.closeErr = errors.Join(s.write.Close(), s.read.Close())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close %q: %w", s.path, s.closeErr)
		}
	})
	return s.closeErr
}
