package kurrentdb_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/kurrentdb"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/kurrentstandin"
	"aidtrail/internal/testkit/kurrenttest"
	"aidtrail/internal/testkit/storetest"
)

// twoProcesses opens two stores on one fresh log, as two aidtrail
// processes sharing a KurrentDB would: on the server of KURRENTDB_URL when
// set, else on a stand-in, which it returns (nil on a server).
func twoProcesses(t *testing.T) (a, b *kurrentdb.Store, standin *kurrentstandin.Server, ctx context.Context) {
	t.Helper()
	url := os.Getenv(kurrenttest.EnvURL)
	if url == "" {
		standin = kurrentstandin.Start(t)
		url = standin.URL()
	}
	t.Logf("two processes on the %s", kurrenttest.Target())
	log := "aidtrail-test-" + uuid.NewString()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	open := func() *kurrentdb.Store {
		s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: url, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	return open(), open(), standin, ctx
}

// Transactions from two processes that each read a stream at the same
// version and require another: exactly one commits, whichever process
// writes, and the loser's conflict names the stream it lost on.
func TestProcessesConflict(t *testing.T) {
	t.Parallel()
	a, b, _, ctx := twoProcesses(t)
	budget, account := storetest.NewStream("budget"), storetest.NewStream("account")
	if _, err := a.Append(ctx, budget, event.NoStream, storetest.NewEvents(1, "budget.allocated")...); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append(ctx, account, event.NoStream, storetest.NewEvents(1, "position.held")...); err != nil {
		t.Fatal(err)
	}
	for round := range 20 {
		version := int64(round + 1)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []*kurrentdb.Store{a, b} {
			wg.Go(func() {
				_, errs[i] = s.Commit(ctx, event.Transaction{
					Appends: []event.StreamAppend{{Stream: budget, Expected: event.Exact(version), Events: storetest.NewEvents(1, "budget.reserved")}},
					Require: []event.Requirement{{Stream: account, Version: 1}},
				})
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			var ce *event.ConcurrencyError
			switch {
			case err == nil:
				won++
			case errors.As(err, &ce) && ce.Stream == budget && ce.Actual == version+1:
			default:
				t.Fatalf("round %d: %v; want success or a conflict on the budget at version %d", round, err, version+1)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d commits at budget version %d, want exactly 1", round, won, version)
		}
	}
	// A vacate written by one process ends the other's requirement.
	if _, err := a.Append(ctx, account, event.Exact(1), storetest.NewEvents(1, "position.vacated")...); err != nil {
		t.Fatal(err)
	}
	_, err := b.Commit(ctx, event.Transaction{
		Appends: []event.StreamAppend{{Stream: budget, Expected: event.Any, Events: storetest.NewEvents(1, "budget.reserved")}},
		Require: []event.Requirement{{Stream: account, Version: 1}},
	})
	if !errors.Is(err, event.ErrConcurrency) {
		t.Fatalf("commit requiring the account before its vacate, from the other process: %v; want ErrConcurrency", err)
	}
}

// A retry through another process of a transaction already written
// answers as the first did and writes nothing; a reuse of its ids with
// other content is refused there too.
func TestProcessesRetry(t *testing.T) {
	t.Parallel()
	a, b, _, ctx := twoProcesses(t)
	tx := event.Transaction{Appends: []event.StreamAppend{
		{Stream: storetest.NewStream("case"), Expected: event.NoStream, Events: storetest.NewEvents(2, "case.approved")},
		{Stream: storetest.NewStream("answer"), Expected: event.NoStream, Events: storetest.NewEvents(1, "command.answered")},
	}}
	first, err := a.Commit(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Commit(ctx, tx)
	if err != nil || len(again) != 2 || again[0] != first[0] || again[1] != first[1] {
		t.Fatalf("retry through the other process: %v, %v; want %v", again, err, first)
	}
	changed := tx
	changed.Appends = append([]event.StreamAppend(nil), tx.Appends...)
	changed.Appends[1].Events = []event.Event{storetest.NewEvent("command.answered", `{"other":true}`)}
	changed.Appends[1].Events[0].ID = tx.Appends[1].Events[0].ID
	if _, err := b.Commit(ctx, changed); !errors.Is(err, event.ErrDuplicateEvent) {
		t.Fatalf("reusing an id with other content: %v; want ErrDuplicateEvent", err)
	}
	if n := len(readAll(ctx, t, a)); n != 3 {
		t.Fatalf("the log holds %d events, want 3", n)
	}
}

// When the reply to an append is lost after KurrentDB wrote it, the
// caller gets an error; retrying with the same events answers as the
// write did, and the events are stored once. The stand-in keeps no cache
// of event ids, so this rests on the adapter's own check.
func TestLostReplyRetry(t *testing.T) {
	t.Parallel()
	standin := kurrentstandin.Start(t) // the fault needs the stand-in, wherever the others run
	ctx := t.Context()
	a, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: standin.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	stream := storetest.NewStream("lost")
	evs := storetest.NewEvents(3, "lost.tested")
	standin.FailAppendsAfterWrite(1)
	if _, err := a.Append(ctx, stream, event.NoStream, evs...); err == nil {
		t.Fatal("append whose reply was lost reported success")
	}
	res, err := a.Append(ctx, stream, event.NoStream, evs...)
	if err != nil {
		t.Fatalf("retry after the lost reply: %v", err)
	}
	recs, err := a.ReadStream(ctx, stream, 0)
	if err != nil || len(recs) != 3 || res.Version != 3 || res.Position != recs[2].Position {
		t.Fatalf("after the retry: %d events, %v; result %+v", len(recs), err, res)
	}
}
