package commands

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// A stale If-Match or a taken code is decided once: another attempt would
// read the same facts and refuse again. A conflict from other writers is
// decided again.
func TestAttemptGivesUpOnAStaleView(t *testing.T) {
	t.Parallel()
	a := &App{}
	for _, tc := range []struct {
		name  string
		err   error
		tries int
	}{
		{"stale If-Match", ifMatch(3, "case-x", 4), 1},
		{"code taken", fmt.Errorf("unit code TYZ: %w: already taken", fault.ErrConflict), 1},
		{"another writer", &event.ConcurrencyError{Stream: "case-x", Expected: event.Exact(3), Actual: 4}, maxAttempts},
	} {
		tries := 0
		_, err := a.attempt(context.Background(), Actor{}, "Test", nil, func(*uow.Work) (event.Metadata, error) {
			tries++
			return event.Metadata{}, tc.err
		})
		if !errors.Is(err, event.ErrConcurrency) && !errors.Is(err, fault.ErrConflict) || tries != tc.tries {
			t.Errorf("%s: %d tries, error %v; want %d tries and a conflict", tc.name, tries, err, tc.tries)
		}
	}
}
