// Package pgtest gives tests a private schema in the real PostgreSQL server.
//
// The server is AIDTRAIL_TEST_DATABASE_URL, by default the local one
// (postgres://postgres@127.0.0.1:5432/test). When it cannot be reached the
// test is skipped, unless AIDTRAIL_REQUIRE_DB=1, which CI sets: then the test
// fails, so that no PostgreSQL-backed test can pass by not running.
package pgtest

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server the tests use when AIDTRAIL_TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// ServerURL returns the test server's URL, skipping or failing t when the
// server cannot be reached (see the package comment).
func ServerURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("AIDTRAIL_TEST_DATABASE_URL")
	if raw == "" {
		raw = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, raw)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		if os.Getenv("AIDTRAIL_REQUIRE_DB") == "1" {
			t.Fatalf("PostgreSQL required (AIDTRAIL_REQUIRE_DB=1) but unreachable at %s: %v", redact(raw), err)
		}
		t.Skipf("PostgreSQL unreachable at %s (set AIDTRAIL_REQUIRE_DB=1 to fail instead): %v", redact(raw), err)
	}
	return raw
}

// NewSchema creates an empty schema for t and returns a URL whose
// connections use it as their search_path. The schema is dropped when t ends.
func NewSchema(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	name := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(server), err)
	}
	q := u.Query()
	q.Set("search_path", name)
	q.Set("application_name", name) // so that TerminateConnections finds its connections

	u.RawQuery = q.Encode()
	return u.String()
}

// TerminateConnections ends, from the server's side, every connection
// opened with url (a URL of NewSchema), as a server restart or a failover
// would, and returns how many it ended. Other tests' connections are left
// alone.
func TerminateConnections(t testing.TB, url string) int {
	t.Helper()
	name := applicationName(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL(t))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()) t`, name).Scan(&n)
	if err != nil {
		t.Fatalf("terminate the connections of %s: %v", name, err)
	}
	return n
}

func applicationName(t testing.TB, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get("application_name") == "" {
		t.Fatalf("%s is not a URL of NewSchema", redact(raw))
	}
	return u.Query().Get("application_name")
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
