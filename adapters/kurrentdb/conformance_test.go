package kurrentdb_test

import (
	"testing"

	"aidtrail/commands"
	"aidtrail/internal/testkit/kurrenttest"
	"aidtrail/internal/testkit/storetest"
)

// The conformance suite, on the real KurrentDB of KURRENTDB_URL when set,
// on the stand-in otherwise. The log serialises writers, so the harness
// has no Begin: no transaction can take a position and commit after a
// younger one.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) commands.EventStore {
		s, _ := kurrenttest.Store(t)
		return s
	}})
}
