package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/adapters/keyring"
	"aidtrail/domain/access"
	"aidtrail/internal/testkit/pgtest"
)

// A service started with a master key other than the one the database's
// personal keys are wrapped under refuses to start, saying why;
// rotate-master-key re-wraps every key under a new one, records it in the
// event history, and from then on only the new key starts the service —
// and opens what was sealed before.
func TestWrongMasterKeyRefusesStartAndRotationMovesToANewOne(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			dir := t.TempDir()
			store := storeConfig{DataDir: dir}
			env := environment{}
			args := []string{"--data", dir}
			if kind == "postgres" {
				url := pgtest.NewSchema(t)
				store = storeConfig{DatabaseURL: url}
				first, err := keyring.NewMasterKey()
				if err != nil {
					t.Fatal(err)
				}
				env.MasterKey = base64.StdEncoding.EncodeToString(first)
				args = []string{"--database-url", url}
			}
			open := func(env environment) (*keyring.Keyring, func(), error) {
				t.Helper()
				db, cleanup, err := openMigrated(ctx, store, quiet)
				if err != nil {
					t.Fatal(err)
				}
				keys, err := openKeyring(ctx, db, serveConfig{Store: store}, env)
				return keys, cleanup, err
			}
			keys, cleanup, err := open(env)
			if err != nil {
				t.Fatal(err)
			}
			subject := uuid.New()
			sealed, err := keys.Seal(ctx, subject, "6222020200112233445")
			cleanup()
			if err != nil {
				t.Fatal(err)
			}

			other, err := keyring.NewMasterKey()
			if err != nil {
				t.Fatal(err)
			}
			wrong := environment{MasterKey: base64.StdEncoding.EncodeToString(other)}
			if _, cleanup, err := open(wrong); err == nil || !strings.Contains(err.Error(), "does not open this database's personal keys") {
				t.Fatalf("start with another master key: %v, want a refusal saying why", err)
			} else {
				cleanup()
			}

			newKeyFile := filepath.Join(t.TempDir(), "next.key")
			var out, errs bytes.Buffer
			rotate := append([]string{"rotate-master-key", "--new-master-key-file", newKeyFile, "--reason", "年度轮换"}, args...)
			if err := run(ctx, rotate, env, &out, &errs); err != nil || !strings.Contains(out.String(), "re-wrapped 1 personal keys") {
				t.Fatalf("rotate: %v\n%s%s", err, out.String(), errs.String())
			}
			next, err := os.ReadFile(newKeyFile)
			if err != nil {
				t.Fatal(err)
			}
			after := environment{MasterKey: strings.TrimSpace(string(next))}
			if kind == "sqlite" {
				after = environment{} // master.key in --data now holds the new key
			}
			keys, cleanup, err = open(after)
			if err != nil {
				t.Fatalf("start with the new key: %v", err)
			}
			defer cleanup()
			if got, err := keys.Open(ctx, subject, sealed); err != nil || got != "6222020200112233445" {
				t.Fatalf("a value sealed before the rotation: %q, %v", got, err)
			}
			if kind == "postgres" {
				if _, c, err := open(env); err == nil {
					c()
					t.Fatal("the old master key still starts the service after rotation")
				} else {
					c()
				}
			}

			db, closeDB, err := openMigrated(ctx, store, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB()
			history, err := db.events.ReadStream(ctx, access.MasterKeyStream, 1)
			if err != nil || len(history) != 1 || history[0].Type != access.TypeMasterKeyRotated {
				t.Fatalf("the rotation's record: %v, %v", history, err)
			}
			var rec access.MasterKeyRotated
			if err := json.Unmarshal(history[0].Data, &rec); err != nil || rec.Keys != 1 || rec.Reason != "年度轮换" {
				t.Fatalf("master_key.rotated %s (%v)", history[0].Data, err)
			}
		})
	}
}
