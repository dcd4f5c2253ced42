package sqlite_test

import (
	"path/filepath"
	"testing"

	"aidtrail/adapters/sqlite"
	"aidtrail/commands"
	"aidtrail/internal/testkit/storetest"
)

// TestConformance holds the embedded store to the EventStore contract. Each
// store is a fresh file; Begin stays nil because the Store has one
// writer, so commits cannot happen out of position order.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) commands.EventStore {
		s, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return s
	}})
}
