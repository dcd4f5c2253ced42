package postgres

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log destination safe for the store's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A LISTEN connection the server drops is logged as a warning, and
// listening again is logged when it succeeds.
func TestLostListenConnectionIsLogged(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	s, err := Open(t.Context(), Config{URL: pgtestSchema(t), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	listener := func() []int32 {
		var pids []int32
		rows, err := s.pool.Query(t.Context(), `SELECT pid FROM pg_stat_activity
			WHERE query LIKE 'LISTEN %' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`, s.channel)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var pid int32
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids = append(pids, pid)
		}
		return pids
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %s; logs:\n%s", what, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	var first []int32
	waitUntil("the store to listen", func() bool { first = listener(); return len(first) == 1 })
	if _, err := s.pool.Exec(t.Context(), "SELECT pg_terminate_backend($1)", first[0]); err != nil {
		t.Fatal(err)
	}
	waitUntil("a warning about the lost connection", func() bool {
		return strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "cannot listen")
	})
	waitUntil("listening again, logged", func() bool { return strings.Contains(logs.String(), "listening for other processes' appends again") })
	if again := listener(); len(again) != 1 || again[0] == first[0] {
		t.Fatalf("listening backends after the drop: %v (the dropped one was %d)", again, first[0])
	}
}
