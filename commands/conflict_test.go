package commands_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"aidtrail/commands"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

// readCounter is the real store, counting the reads of streams whose name
// starts with prefix.
type readCounter struct {
	commands.EventStore
	prefix string
	reads  atomic.Int64
}

func (c *readCounter) ReadStream(ctx context.Context, stream string, from int64) ([]event.Recorded, error) {
	if strings.HasPrefix(stream, c.prefix) {
		c.reads.Add(1)
	}
	return c.EventStore.ReadStream(ctx, stream, from)
}

// A unit code already taken is a permanent conflict: the command is
// refused after one decision, not decided again with backoff as a race
// between writers would be, and writes nothing.
func TestTakenUnitCodeIsRefusedAtOnce(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		counter := &readCounter{EventStore: f.env.Store, prefix: "unit-code-"}
		app := f.env.With(t, func(d *commands.Deps) { d.Store = counter })
		before, err := f.env.Store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = app.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "又一个太原站", Code: "TYZ", Level: org.LevelStation, ParentID: f.root})
		if !errors.Is(err, fault.ErrConflict) || errors.Is(err, event.ErrConcurrency) {
			t.Fatalf("a taken code: %v, want fault.ErrConflict and no transient conflict", err)
		}
		if n := counter.reads.Load(); n != 1 {
			t.Fatalf("the code's reservation was read %d times; a permanent conflict is decided once", n)
		}
		if after, err := f.env.Store.Head(ctx); err != nil || after != before {
			t.Fatalf("head moved from %d to %d (%v): the refusal wrote events", before, after, err)
		}
	})
}
