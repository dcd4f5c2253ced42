package keyring

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestNewMasterKey(t *testing.T) {
	t.Parallel()
	a, err := NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != MasterKeyLen || bytes.Equal(a, b) {
		t.Fatalf("master keys of %d bytes, equal: %v", len(a), bytes.Equal(a, b))
	}
}

func TestParseMasterKey(t *testing.T) {
	t.Parallel()
	key, _ := NewMasterKey()
	for _, s := range []string{
		base64.StdEncoding.EncodeToString(key),
		base64.RawStdEncoding.EncodeToString(key),
		base64.URLEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key),
		"  " + base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		got, err := ParseMasterKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseMasterKey: %v", err)
		}
	}
	secret := base64.StdEncoding.EncodeToString(key[:16])
	for _, s := range []string{"", "   ", "not base64!", secret, base64.StdEncoding.EncodeToString(append(key, 0))} {
		_, err := ParseMasterKey(s)
		if err == nil {
			t.Errorf("ParseMasterKey accepted %d characters", len(s))
			continue
		}
		if strings.TrimSpace(s) != "" && strings.Contains(err.Error(), strings.TrimSpace(s)) {
			t.Errorf("error %q quotes the key", err)
		}
	}
}

func TestLoadOrCreateMasterKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	key, err := LoadOrCreateMasterKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", perm)
	}
	again, err := LoadOrCreateMasterKeyFile(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Fatalf("second load: %v, same key: %v", err, bytes.Equal(again, key))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want the key file only", len(entries))
	}
}

func TestLoadOrCreateMasterKeyFileConcurrently(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "master.key")
	keys := make([][]byte, 20)
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateMasterKeyFile(path) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("caller %d: %v, same key as caller 0: %v", i, errs[i], bytes.Equal(keys[i], keys[0]))
		}
	}
}

func TestLoadMasterKeyFileRefuses(t *testing.T) {
	t.Parallel()
	key, _ := NewMasterKey()
	good := base64.StdEncoding.EncodeToString(key) + "\n"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
	}{
		{"group readable", good, 0o640},
		{"world readable", good, 0o644},
		{"group writable", good, 0o620},
		{"short key", base64.StdEncoding.EncodeToString(key[:31]), 0o600},
		{"long key", base64.StdEncoding.EncodeToString(append(key, 1)), 0o600},
		{"empty", "", 0o600},
		{"not base64", "secret passphrase", 0o600},
		{"huge", strings.Repeat("A", 4096), 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			if _, err := LoadOrCreateMasterKeyFile(path); err == nil {
				t.Fatal("accepted")
			}
			if got, _ := os.ReadFile(path); string(got) != tt.content {
				t.Fatal("the refused file was changed")
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateMasterKeyFile(dir); err == nil {
			t.Fatal("accepted a directory")
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		if _, err := LoadOrCreateMasterKeyFile(filepath.Join(t.TempDir(), "no", "master.key")); err == nil {
			t.Fatal("created a key in a directory that does not exist")
		}
	})
}
