package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMasterKeySources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fromEnv := bytes.Repeat([]byte{7}, 32)
	embedded := serveConfig{Store: storeConfig{DataDir: dir}}

	key, err := masterKey(embedded, environment{MasterKey: base64.StdEncoding.EncodeToString(fromEnv)})
	if err != nil || !bytes.Equal(key, fromEnv) {
		t.Fatalf("from the environment: %v", err)
	}

	first, err := masterKey(embedded, environment{})
	if err != nil {
		t.Fatalf("embedded default: %v", err)
	}
	info, err := os.Stat(filepath.Join(dir, masterKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the embedded store's key file: %v, mode %v; want 0600", err, info.Mode())
	}
	again, err := masterKey(embedded, environment{})
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("the key file must give the same key on every start: %v", err)
	}

	pg := serveConfig{Store: storeConfig{DatabaseURL: "postgres://localhost/db"}}
	if _, err := masterKey(pg, environment{}); err == nil || !strings.Contains(err.Error(), "AIDTRAIL_MASTER_KEY") {
		t.Fatalf("PostgreSQL without a master key: %v, want a refusal naming AIDTRAIL_MASTER_KEY", err)
	}
	pg.MasterKeyFile = filepath.Join(dir, "pg.key")
	if _, err := masterKey(pg, environment{}); err != nil {
		t.Fatalf("PostgreSQL with --master-key-file: %v", err)
	}
}
