package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"aidtrail/domain/event"
	"aidtrail/internal/testkit/pgtest"
)

// newStore opens a migrated store in a private schema of the test server.
func newStore(t *testing.T) *Store {
	t.Helper()
	return newStoreWith(t, Config{})
}

// newStoreWith is newStore with cfg's settings; cfg.URL is replaced by the
// private schema's. The store is closed when tb ends.
func newStoreWith(tb testing.TB, cfg Config) *Store {
	tb.Helper()
	cfg.URL = pgtestSchema(tb)
	s, err := Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if err := s.Migrate(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	return s
}

func testEvent(typ string) event.Event {
	return event.Event{ID: event.NewID(), Type: typ, Data: json.RawMessage(`{"n":1}`)}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	var n int
	if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no migration recorded")
	}
}

func TestEventsRefuseUpdateDeleteTruncate(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.Append(t.Context(), "case-x", event.NoStream, testEvent("case.opened")); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE events SET type = 'case.forged'",
		"DELETE FROM events",
		"TRUNCATE events",
	} {
		if _, err := s.pool.Exec(t.Context(), stmt); err == nil {
			t.Errorf("%s: succeeded, want refusal", stmt)
		}
	}
	got, err := s.ReadStream(t.Context(), "case-x", 1)
	if err != nil || len(got) != 1 || got[0].Type != "case.opened" {
		t.Fatalf("after refused changes: %v %v", got, err)
	}
}

// A hole left by a rolled-back append is passed once no transaction that
// could fill it is open, and not before.
func TestReadPassesRolledBackHoleOnlyWhenSettled(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.WithoutCancel(ctx)) })
	if _, err := s.appendWith(ctx, tx, "case-rolled-back", event.Any, []event.Event{testEvent("case.opened")}); err != nil {
		t.Fatal(err)
	}
	later, err := s.Append(ctx, "case-later", event.NoStream, testEvent("case.opened"))
	if err != nil {
		t.Fatal(err)
	}
	got, pending, err := s.readSafe(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || !pending {
		t.Fatalf("while the lower position is open: got %d events, pending=%v; want 0, true", len(got), pending)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	got, pending, err = s.readSafe(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if pending || len(got) != 1 || got[0].Position != later.Position {
		t.Fatalf("after rollback: got %v pending=%v; want only position %d", got, pending, later.Position)
	}
	head, err := s.Head(ctx)
	if err != nil || head != later.Position {
		t.Fatalf("head = %d, %v; want %d", head, err, later.Position)
	}
}

func TestPayloadsPostgresCannotStoreAreInvalid(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	e := testEvent("case.opened")
	e.Data = json.RawMessage(`{"name":"a\u0000b"}`)
	_, err := s.Append(t.Context(), "case-nul", event.NoStream, e)
	if !errors.Is(err, event.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	if _, err := s.ReadStream(t.Context(), "case-nul", 1); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("stream after refusal: %v", err)
	}
}

func pgtestSchema(t testing.TB) string { return pgtest.NewSchema(t) }
