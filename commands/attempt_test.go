package commands

import (
	"context"
	"errors"
	"testing"

	"aidtrail/domain/event"
)

// A stale If-Match is decided once: another attempt would read the same
// newer version and refuse again. A conflict from other writers is decided
// again.
func TestAttemptGivesUpOnAStaleView(t *testing.T) {
	t.Parallel()
	a := &App{}
	for _, tc := range []struct {
		name  string
		err   error
		tries int
	}{
		{"stale If-Match", ifMatch(3, "case-x", 4), 1},
		{"another writer", &event.ConcurrencyError{Stream: "case-x", Expected: event.Exact(3), Actual: 4}, maxAttempts},
	} {
		tries := 0
		_, err := a.attempt(context.Background(), func(*work) (event.Metadata, error) {
			tries++
			return event.Metadata{}, tc.err
		})
		if !errors.Is(err, event.ErrConcurrency) || tries != tc.tries {
			t.Errorf("%s: %d tries, error %v; want %d tries and a conflict", tc.name, tries, err, tc.tries)
		}
	}
}
