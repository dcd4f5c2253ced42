package main

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// aidtrail verify on an embedded store: a sealed history verifies, live
// and as a bundle checked offline with the public key alone; after one
// payload is changed with SQL, it fails and names the position.
func TestVerifyCommandFindsATamperedPayload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := storeConfig{DataDir: dir}
	db, cleanup, err := openMigrated(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var changed int64
	for i := range 12 {
		a, err := db.events.Append(t.Context(), "audit-cli", event.Any, event.Event{ID: uuid.New(), Type: "audit.tested",
			Data: []byte(`{"fen":` + strconv.Itoa(100*(i+1)) + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 5 {
			changed = a.Position
		}
	}
	cleanup()

	var out bytes.Buffer
	if err := run(t.Context(), []string{"verify", "--seal", "--data", dir}, environment{}, &out, io.Discard); err != nil {
		t.Fatalf("verify --seal: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "verified") {
		t.Fatalf("verify said %q", out.String())
	}

	bundle := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := run(t.Context(), []string{"audit", "export", "--out", bundle, "--data", dir}, environment{}, io.Discard, io.Discard); err != nil {
		t.Fatalf("audit export: %v", err)
	}
	public, err := verifyKey(verifyConfig{Store: cfg}, environment{})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(t.Context(), []string{"verify", bundle, "--public-key", public}, environment{}, &out, io.Discard); err != nil {
		t.Fatalf("verify of the bundle, offline: %v\n%s", err, out.String())
	}

	db, cleanup, err = openMigrated(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.tables.Exec(t.Context(), "DROP TRIGGER events_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.tables.Exec(t.Context(), `UPDATE events SET data = '{"fen":999}' WHERE position = $1`, changed); err != nil {
		t.Fatal(err)
	}
	cleanup()

	out.Reset()
	err = run(t.Context(), []string{"verify", "--data", dir}, environment{}, &out, io.Discard)
	if !errors.Is(err, errNotVerified) || !strings.Contains(out.String(), "first bad position "+strconv.FormatInt(changed, 10)) {
		t.Fatalf("verify of a tampered store: %v\n%s", err, out.String())
	}
}
