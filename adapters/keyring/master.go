package keyring

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MasterKeyLen is the length of a master key in bytes (AES-256).
const MasterKeyLen = 32

// maxMasterKeyFile bounds what LoadOrCreateMasterKeyFile reads: a key file
// is one line of base64.
const maxMasterKeyFile = 1024

// NewMasterKey returns a fresh random master key.
func NewMasterKey() ([]byte, error) {
	key := make([]byte, MasterKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("keyring: new master key: %w", err)
	}
	return key, nil
}

// ParseMasterKey decodes a master key written in base64 (standard or
// URL-safe alphabet, with or without padding, surrounding white space
// ignored), as in the AIDTRAIL_MASTER_KEY environment variable. It refuses
// anything that is not exactly MasterKeyLen bytes. Its errors never quote
// the input.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if s == "" {
		return nil, errors.New("keyring: master key is empty")
	}
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	key, err := enc.DecodeString(s)
	if err != nil {
		return nil, errors.New("keyring: master key is not valid base64")
	}
	if len(key) != MasterKeyLen {
		return nil, fmt.Errorf("keyring: master key is %d bytes, want %d", len(key), MasterKeyLen)
	}
	return key, nil
}

// LoadOrCreateMasterKeyFile returns the master key in the file at path,
// creating the file with a new random key (base64, mode 0600) if it does
// not exist. Processes starting at once on an empty directory all end up
// with the key of the one that created the file. It refuses a file that
// group or others may read or write, a file that is not a regular file,
// and a file that does not hold exactly one key.
//
// Losing this file loses every sealed personal field; keep it out of the
// database's backups and back it up separately.
func LoadOrCreateMasterKeyFile(path string) ([]byte, error) {
	key, err := readMasterKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key, err = NewMasterKey()
	if err != nil {
		return nil, err
	}
	if err := createMasterKeyFile(path, key); errors.Is(err, fs.ErrExist) {
		return readMasterKeyFile(path) // another process won the race
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

func readMasterKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("keyring: master key file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("keyring: master key file %s has mode %04o; it must be readable by its owner only (chmod 600)", path, perm)
	}
	body, err := io.ReadAll(io.LimitReader(f, maxMasterKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("keyring: master key file: %w", err)
	}
	if len(body) > maxMasterKeyFile {
		return nil, fmt.Errorf("keyring: master key file %s is too long to hold one key", path)
	}
	key, err := ParseMasterKey(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return key, nil
}

// createMasterKeyFile writes key to a private temporary file and links it
// into place, so that no process ever reads a half-written key file. It
// returns an error matching fs.ErrExist if path exists. Where the file
// system has no hard links it creates path exclusively instead.
func createMasterKeyFile(path string, key []byte) error {
	dir := filepath.Dir(path)
	content := []byte(base64.StdEncoding.EncodeToString(key) + "\n")
	tmp, err := os.CreateTemp(dir, ".master-key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("keyring: create master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, content); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = createExclusive(path, content)
	}
	if err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the new name durable; best effort
		_ = d.Close()
	}
	return nil
}

func createExclusive(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keyring: create master key file: %w", err)
	}
	return writeSync(f, content)
}

func writeSync(f *os.File, content []byte) error {
	_, err := f.Write(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("keyring: write master key file: %w", err)
	}
	return nil
}

// ReplaceMasterKeyFile puts key in the file at path in place of what it
// held, atomically (a private temporary file renamed over it), mode 0600:
// after a rotation, the embedded store's key file holds the new key.
func ReplaceMasterKeyFile(path string, key []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("keyring: replace master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, []byte(base64.StdEncoding.EncodeToString(key)+"\n")); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("keyring: replace master key file: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // make the new name durable; best effort
		_ = d.Close()
	}
	return nil
}
