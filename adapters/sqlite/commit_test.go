package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"aidtrail/domain/event"
)

// TestGroupCommitIsolatesFailedTransactions queues appends and transactions
// behind a held write lock so that they commit in one batch. Some
// transactions are doomed: a stale requirement, a stale expected version on
// their last append, or a statement SQLite refuses after their first append
// is already written. Each doomed one must fail alone and leave no trace;
// every valid one must commit whole.
func TestGroupCommitIsolatesFailedTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := newTestStore(t, path)
	ctx := t.Context()
	mustAppend(t, s, "account", event.NoStream, testEvent("position.assigned", `{}`))
	poisonOnWriter(t, s)

	type outcome struct {
		streams []string
		valid   bool
		events  int
		err     error
	}
	const n = 60
	results := make(chan outcome, n)
	inOneBatch(t, path, n, func(i int) {
		a, b := fmt.Sprintf("a-%d", i), fmt.Sprintf("b-%d", i)
		tx := event.Transaction{
			Appends: []event.StreamAppend{
				{Stream: a, Expected: event.NoStream, Events: []event.Event{testEvent("x", `{}`), testEvent("y", `{}`)}},
				{Stream: b, Expected: event.NoStream, Events: []event.Event{testEvent("z", `{}`)}},
			},
			Require: []event.Requirement{{Stream: "account", Version: 1}},
		}
		o := outcome{streams: []string{a, b}, valid: i%2 == 0, events: 3}
		switch i % 8 {
		case 0, 4: // a valid transaction
			_, o.err = s.Commit(ctx, tx)
		case 2, 6: // a valid plain append
			_, o.err = s.Append(ctx, a, event.NoStream, testEvent("x", `{}`))
			o.streams, o.events = o.streams[:1], 1
		case 1: // stale requirement
			tx.Require[0].Version = 0
			_, o.err = s.Commit(ctx, tx)
		case 3: // stale expected version on the last append
			tx.Appends[1].Expected = event.Exact(1)
			_, o.err = s.Commit(ctx, tx)
		case 5, 7: // refused by SQLite once the first append is written
			tx.Appends[1].Events[0].Type = "test.poison"
			_, o.err = s.Commit(ctx, tx)
		}
		results <- o
	})
	close(results)

	written := 1 // the account's event
	for o := range results {
		for _, stream := range o.streams {
			recs, readErr := s.ReadStream(ctx, stream, 1)
			switch {
			case o.valid && o.err != nil:
				t.Errorf("%v: valid request failed: %v", o.streams, o.err)
			case o.valid && readErr != nil:
				t.Errorf("%s: ReadStream after a valid request: %v", stream, readErr)
			case !o.valid && o.err == nil:
				t.Errorf("%v: doomed transaction succeeded", o.streams)
			case !o.valid && !errors.Is(readErr, event.ErrNotFound):
				t.Errorf("%s: doomed transaction left %d events (%v)", stream, len(recs), readErr)
			}
		}
		if o.valid {
			written += o.events
		}
		if !o.valid && o.err != nil && !errors.Is(o.err, event.ErrConcurrency) && !strings.Contains(o.err.Error(), "poisoned") {
			t.Errorf("%v: doomed transaction failed with %v, want a conflict or the poison trigger's refusal", o.streams, o.err)
		}
	}
	checkBatchWrote(t, s, int64(written))
}
