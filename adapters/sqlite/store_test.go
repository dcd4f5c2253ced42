package sqlite

import (
	"path/filepath"
	"testing"

	"aidtrail/commands"
	"aidtrail/internal/testkit/storetest"
)

// TestConformance holds the embedded store to the EventStore contract. Each
// store is a fresh file; Begin stays nil because the Store has one
// writer, so commits cannot happen out of position order.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) commands.EventStore {
		return newTestStore(t, filepath.Join(t.TempDir(), "events.db"))
	}})
}
