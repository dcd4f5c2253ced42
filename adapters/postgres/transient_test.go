package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/internal/testkit/pgtest"
)

// Transient tells the database out of reach — a connection the server
// ended, a server that does not answer — from a statement's own fault,
// which no retry mends.
func TestTransientTellsAnOutageFromAFault(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.NewSchema(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, syntax := conn.Exec(ctx, "SELEC 1")
	_, divide := conn.Exec(ctx, "SELECT 1/0")
	if _, err := conn.Exec(ctx, "CREATE TABLE u (k int PRIMARY KEY); INSERT INTO u VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, unique := conn.Exec(ctx, "INSERT INTO u VALUES (1)")
	if n := pgtest.TerminateConnections(t, url); n != 1 {
		t.Fatalf("ended %d connections, want 1", n)
	}
	_, ended := conn.Exec(ctx, "SELECT 1")
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, refused := pgx.Connect(short, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=1")

	for name, c := range map[string]struct {
		err  error
		want bool
	}{
		"syntax error": {syntax, false}, "division by zero": {divide, false}, "unique violation": {unique, false},
		"connection ended by the server": {ended, true}, "connection refused": {refused, true}, "no error": {nil, false},
	} {
		if name != "no error" && c.err == nil {
			t.Fatalf("%s: no error to classify", name)
		}
		if got := (Engine{}).Transient(c.err); got != c.want {
			t.Errorf("%s (%v): Transient = %v, want %v", name, c.err, got, c.want)
		}
	}
}
