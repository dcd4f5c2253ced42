package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

func TestPutGet(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := New(db)
		content := []byte("%PDF-1.4 discharge summary")
		sum := sha256.Sum256(content)
		key := hex.EncodeToString(sum[:])
		for range 2 { // the same content twice keeps one copy
			if err := s.Put(ctx, key, content, "application/pdf"); err != nil {
				t.Fatal(err)
			}
		}
		got, ct, err := s.Get(ctx, key)
		if err != nil || !bytes.Equal(got, content) || ct != "application/pdf" {
			t.Fatalf("Get = %q %q %v", got, ct, err)
		}
		if err := s.Put(ctx, key, []byte("other bytes"), "application/pdf"); err == nil {
			t.Fatal("content stored under a hash that is not its own")
		}
		if _, _, err := s.Get(ctx, hex.EncodeToString(make([]byte, 32))); !errors.Is(err, commands.ErrNotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
	})
}
