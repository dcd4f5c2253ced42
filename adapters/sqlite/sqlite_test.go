package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"aidtrail/adapters/internal/migrations"
	"aidtrail/domain/event"
)

func newTestStore(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{Path: path})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func testEvent(typ, data string) event.Event {
	return event.Event{
		ID:   event.NewID(),
		Type: typ,
		Data: []byte(data),
		Metadata: event.Metadata{
			ActorAccountID: "acct-1",
			CommandID:      event.NewID().String(),
			OccurredAt:     time.Now().UTC().Truncate(time.Microsecond),
			SchemaVersion:  1,
		},
	}
}

func mustAppend(t *testing.T, s *Store, stream string, expected event.ExpectedVersion, evs ...event.Event) event.Appended {
	t.Helper()
	out, err := s.Append(t.Context(), stream, expected, evs...)
	if err != nil {
		t.Fatalf("Append(%q): %v", stream, err)
	}
	return out
}

// rawDB opens a second handle on the store's file, as an analyst's tool or a
// second process would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := OpenDB(path)
	if err != nil {
		t.Fatalf("OpenDB: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// holdWriteLock takes SQLite's write lock from another connection, so that
// the Store's writer waits in BEGIN IMMEDIATE and appends pile up behind
// it. The returned func releases the lock.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	tx, err := rawDB(t, path).BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatalf("begin immediate: %v", err)
	}
	var once sync.Once
	release = func() { once.Do(func() { tx.Rollback() }) }
	t.Cleanup(release)
	return release
}

func TestConfigValidate(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if err := (Config{Path: path}).Validate(); err == nil {
			t.Errorf("Validate(%q) = nil, want an error", path)
		}
		if _, err := Open(t.Context(), Config{Path: path}); err == nil {
			t.Errorf("Open(%q) = nil error", path)
		}
	}
	if err := (Config{Path: "events.db"}).Validate(); err != nil {
		t.Errorf("Validate(events.db) = %v", err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := newTestStore(t, path)
	mustAppend(t, s, "case-1", event.NoStream, testEvent("case.submitted", `{}`))
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate again: %v", err)
		}
	}
	other := newTestStore(t, path) // a second Store on the same file migrates too
	_ = other

	list, err := migrations.List(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := rawDB(t, path).QueryRowContext(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(list) {
		t.Fatalf("schema_migrations has %d rows, want %d", applied, len(list))
	}
	if recs, err := s.ReadStream(t.Context(), "case-1", 1); err != nil || len(recs) != 1 {
		t.Fatalf("after re-migrating: ReadStream = %d events, %v; want the one event", len(recs), err)
	}
}

func TestAppendBeforeMigrate(t *testing.T) {
	s, err := Open(t.Context(), Config{Path: filepath.Join(t.TempDir(), "events.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Append(t.Context(), "case-1", event.NoStream, testEvent("a", `{}`)); err == nil ||
		!strings.Contains(err.Error(), "no such table") {
		t.Fatalf("Append before Migrate: err = %v, want a missing-table error", err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, "case-1", event.NoStream, testEvent("a", `{}`))
}

func TestEventsAreImmutable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := newTestStore(t, path)
	mustAppend(t, s, "case-1", event.NoStream, testEvent("case.submitted", `{"amount_fen":100}`))
	db := rawDB(t, path)
	for _, stmt := range []string{
		`UPDATE events SET data = '{"amount_fen":1}'`,
		`UPDATE events SET stream_id = 'case-2' WHERE position = 1`,
		`DELETE FROM events WHERE position = 1`,
		`DELETE FROM events`,
	} {
		_, err := db.ExecContext(t.Context(), stmt)
		if err == nil || !strings.Contains(err.Error(), "events are immutable") {
			t.Errorf("%s: err = %v, want the immutability trigger's refusal", stmt, err)
		}
	}
	recs, err := s.ReadStream(t.Context(), "case-1", 1)
	if err != nil || len(recs) != 1 || string(recs[0].Data) != `{"amount_fen":100}` {
		t.Fatalf("after refused changes: %v, %v; want the event unchanged", recs, err)
	}
}

func TestSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	first, err := Open(t.Context(), Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	e1 := testEvent("case.submitted", `{"amount_fen":9007199254740993}`)
	e1.Metadata.OccurredAt = time.Date(2025, 3, 1, 8, 30, 0, 123456789, time.UTC)
	want, err := first.Append(t.Context(), "case-1", event.NoStream, e1)
	if err != nil {
		t.Fatal(err)
	}
	before, err := first.ReadStream(t.Context(), "case-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := first.Append(t.Context(), "case-1", event.Any, testEvent("x", `{}`)); err == nil {
		t.Fatal("Append after Close succeeded")
	}

	s := newTestStore(t, path)
	after, err := s.ReadStream(t.Context(), "case-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 1 || after[0].ID != e1.ID || string(after[0].Data) != string(e1.Data) ||
		after[0].Metadata != e1.Metadata || !after[0].RecordedAt.Equal(before[0].RecordedAt) ||
		after[0].Position != want.Position {
		t.Fatalf("after reopen: %+v\nwant %+v", after, before)
	}
	if head, err := s.Head(t.Context()); err != nil || head != want.Position {
		t.Fatalf("Head = %d, %v; want %d", head, err, want.Position)
	}
	// A retry of the first append is still recognised, from the table.
	if again := mustAppend(t, s, "case-1", event.NoStream, e1); again != want {
		t.Fatalf("retry after reopen = %+v, want %+v", again, want)
	}
	if next := mustAppend(t, s, "case-1", event.Exact(1), testEvent("case.approved", `{}`)); next.Version != 2 {
		t.Fatalf("append after reopen: version %d, want 2", next.Version)
	}
}

// TestGroupCommitIsolatesFailures queues 50 appends behind a held write lock
// so that they commit together, half of them doomed in different ways. The
// valid ones must all commit; each failing one must get its own error and
// leave no trace.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := newTestStore(t, path)
	ctx := t.Context()

	taken := testEvent("case.submitted", `{"n":0}`)
	mustAppend(t, s, "taken", event.NoStream, taken)
	// A statement SQLite refuses after the append has written some rows:
	// only its savepoint can undo those.
	poisonOnWriter(t, s)

	type outcome struct {
		stream string
		valid  bool
		err    error
	}
	const n = 50
	results := make(chan outcome, n)
	inOneBatch(t, path, n, func(i int) {
		stream := fmt.Sprintf("s-%d", i)
		var err error
		switch i % 6 {
		case 0, 2, 4: // valid: a fresh stream, two events
			_, err = s.Append(ctx, stream, event.NoStream, testEvent("a", `{}`), testEvent("b", `{}`))
		case 1: // wrong expected version
			_, err = s.Append(ctx, stream, event.Exact(3), testEvent("a", `{}`), testEvent("b", `{}`))
		case 3: // an id stored already with other content
			reused := taken
			reused.Data = []byte(`{"n":1}`)
			_, err = s.Append(ctx, stream, event.Any, testEvent("a", `{}`), reused)
		case 5: // SQLite refuses its second insert
			_, err = s.Append(ctx, stream, event.Any, testEvent("a", `{}`), testEvent("test.poison", `{}`))
		}
		results <- outcome{stream, i%2 == 0, err}
	})
	close(results)

	var valid int
	for o := range results {
		recs, readErr := s.ReadStream(ctx, o.stream, 1)
		switch {
		case o.valid && o.err != nil:
			t.Errorf("%s: valid append failed: %v", o.stream, o.err)
		case o.valid && len(recs) != 2:
			t.Errorf("%s: %d events stored, want 2 (%v)", o.stream, len(recs), readErr)
		case !o.valid && o.err == nil:
			t.Errorf("%s: doomed append succeeded", o.stream)
		case !o.valid && !errors.Is(readErr, event.ErrNotFound):
			t.Errorf("%s: doomed append left %d events (%v)", o.stream, len(recs), readErr)
		}
		if o.valid {
			valid++
		}
	}
	checkBatchWrote(t, s, int64(1+2*valid))
}

// inOneBatch calls request(i) for each i below n, concurrently, while
// another connection holds the write lock, so that the requests queue and
// the writer commits most of them in one batch. It returns when every call
// has returned.
func inOneBatch(t *testing.T, path string, n int, request func(i int)) {
	t.Helper()
	release := holdWriteLock(t, path)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { request(i) })
	}
	time.Sleep(300 * time.Millisecond) // let every request queue behind the lock
	release()
	wg.Wait()
}

// checkBatchWrote fails t unless the store holds exactly events events
// (positions are gapless with one writer, so Head counts them) and most
// requests of inOneBatch were committed together.
func checkBatchWrote(t *testing.T, s *Store, events int64) {
	t.Helper()
	head, err := s.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if head != events {
		t.Fatalf("Head = %d, want %d: positions are gapless with one writer, so nothing else was written", head, events)
	}
	if got := s.largestBatch.Load(); got < 10 {
		t.Fatalf("largest batch had %d requests; the test meant to commit most of them together", got)
	}
}

// poisonOnWriter installs the test's poison trigger on the Store's writer
// connection (TEMP triggers belong to one connection).
func poisonOnWriter(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.write.ExecContext(t.Context(), `CREATE TEMP TRIGGER IF NOT EXISTS poison
		BEFORE INSERT ON main.events WHEN NEW.type = 'test.poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned'); END`); err != nil {
		t.Fatal(err)
	}
}

// TestCancelWhileQueued cancels appends that wait for a busy writer: they
// return at once with the context's error, and are never written.
func TestCancelWhileQueued(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := newTestStore(t, path)
	release := holdWriteLock(t, path)

	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := s.Append(ctx, fmt.Sprintf("s-%d", i), event.NoStream, testEvent("a", `{}`))
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	for range 3 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled append: err = %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("a cancelled append still waits for the writer")
		}
	}
	release()
	// The writer goes on with later appends.
	mustAppend(t, s, "after", event.NoStream, testEvent("a", `{}`))
	for i := range 3 {
		if _, err := s.ReadStream(t.Context(), fmt.Sprintf("s-%d", i), 1); !errors.Is(err, event.ErrNotFound) {
			t.Errorf("s-%d: cancelled append was written (%v)", i, err)
		}
	}
}

func TestRetryWithExactVersionAfterSuccess(t *testing.T) {
	s := newTestStore(t, filepath.Join(t.TempDir(), "events.db"))
	mustAppend(t, s, "case-1", event.NoStream, testEvent("a", `{}`))
	evs := []event.Event{testEvent("b", `{"k": 1}`), testEvent("c", `{}`)}
	first := mustAppend(t, s, "case-1", event.Exact(1), evs...)
	// The same append, with the payload re-encoded, after the stream moved on.
	mustAppend(t, s, "case-1", event.Exact(3), testEvent("d", `{}`))
	evs[0].Data = []byte(`{"k":1}`)
	if again := mustAppend(t, s, "case-1", event.Exact(1), evs...); again != first {
		t.Fatalf("retry = %+v, want the first result %+v", again, first)
	}
	evs[0].Data = []byte(`{"k":2}`)
	if _, err := s.Append(t.Context(), "case-1", event.Exact(1), evs...); !errors.Is(err, event.ErrDuplicateEvent) {
		t.Fatalf("retry with other content: err = %v, want ErrDuplicateEvent", err)
	}
	if _, err := s.Append(t.Context(), "case-1", event.Exact(4), evs[1], testEvent("e", `{}`)); !errors.Is(err, event.ErrDuplicateEvent) {
		t.Fatalf("append reusing one stored id: err = %v, want ErrDuplicateEvent", err)
	}
	var ce *event.ConcurrencyError
	if _, err := s.Append(t.Context(), "case-1", event.Exact(1), testEvent("f", `{}`)); !errors.As(err, &ce) || ce.Actual != 4 {
		t.Fatalf("stale append: err = %v, want a ConcurrencyError at version 4", err)
	}
}
