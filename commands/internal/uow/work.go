package uow

import (
	"context"
	"errors"
	"maps"

	"aidtrail/domain/event"
)

// Work is one attempt of a command: the streams it read, at the versions
// it read them, and the events it decided to append. Committing it appends
// every stream's events at the version it was read at and requires every
// stream it only read to be unchanged, so a decision never stands on facts
// that moved underneath it — in particular not on a position that was
// vacated while the command ran.
type Work struct {
	// Actor is the authorised actor, whose Idempotency-Key (if any) names
	// the events. Authorisation sets it.
	Actor Actor

	store      EventStore
	read       map[string]int64 // stream → version read (0: did not exist)
	order      []string         // streams in the order their events were added
	pending    map[string][]event.Event
	anyVersion map[string]bool // streams appended at whatever version (indexes)
	hot        *StreamLocks    // this process's locks on busy streams; nil in queries
	budgets    *BudgetCache    // budgets as last read; nil in queries
	held       []func()        // the locks this attempt holds
	prefetched map[string][]event.Recorded
}

// NewWork starts the work of a query: reads only, without this process's
// stream locks or budget cache.
func NewWork(store EventStore) *Work {
	return &Work{store: store, read: map[string]int64{}, pending: map[string][]event.Event{}, anyVersion: map[string]bool{}}
}

// NewCommandWork starts one attempt of a command: busy streams are taken
// under hot's locks, budgets read through cache.
func NewCommandWork(store EventStore, hot *StreamLocks, cache *BudgetCache) *Work {
	w := NewWork(store)
	w.hot, w.budgets = hot, cache
	return w
}

// Queued reports whether the work holds events to commit.
func (w *Work) Queued() bool { return len(w.order) > 0 }

// FirstStamp returns the metadata the first queued event was stamped
// with as it was queued (the zero Metadata when it was not), for an event
// that records the whole command under the same grant.
func (w *Work) FirstStamp() event.Metadata {
	if len(w.order) == 0 {
		return event.Metadata{}
	}
	return w.pending[w.order[0]][0].Metadata
}

// Load reads a whole stream and remembers its version. A missing stream
// reads as no events at version 0. A stream that changed since an earlier
// load in the same work is ErrConcurrency, so the command decides again.
func (w *Work) Load(ctx context.Context, stream string) ([]event.Recorded, error) {
	history, fetched := w.prefetched[stream]
	var err error
	if fetched {
		delete(w.prefetched, stream)
	} else {
		history, err = w.store.ReadStream(ctx, stream, 1)
	}
	if err != nil && !errors.Is(err, event.ErrNotFound) {
		return nil, err
	}
	version := int64(0)
	if n := len(history); n > 0 {
		version = history[n-1].Version
	}
	return history, w.NoteRead(stream, version)
}

// ReadStreams reads streams with up to workers reads at once, for a
// command about to load each of them (an import of many employees' rows):
// Seed hands the histories to its Work.
func ReadStreams(ctx context.Context, store EventStore, streams []string, workers int) (map[string][]event.Recorded, error) {
	histories := make([][]event.Recorded, len(streams))
	err := Parallel(len(streams), workers, func(i int) error {
		h, err := store.ReadStream(ctx, streams[i], 1)
		if err != nil && !errors.Is(err, event.ErrNotFound) {
			return err
		}
		histories[i] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]event.Recorded, len(streams))
	for i, stream := range streams {
		out[stream] = histories[i]
	}
	return out, nil
}

// Seed gives Load the histories of streams read beforehand: Load takes a
// stream's history from here, once, instead of reading it, and records its
// version as it would. A history read some time ago is as good as a fresh
// one: the commit requires every stream to be at the version loaded, so a
// stream that moved since makes the command decide again on fresh reads.
func (w *Work) Seed(histories map[string][]event.Recorded) {
	if w.prefetched == nil {
		w.prefetched = make(map[string][]event.Recorded, len(histories))
	}
	maps.Copy(w.prefetched, histories)
}

// NoteRead records that the decision rests on stream at version. A stream
// that changed since an earlier read in the same work is ErrConcurrency.
func (w *Work) NoteRead(stream string, version int64) error {
	if first, seen := w.read[stream]; seen && first != version {
		// Read twice, changed between: the decision mixes two states.
		return &event.ConcurrencyError{Stream: stream, Expected: event.Exact(first), Actual: version}
	}
	w.read[stream] = version
	return nil
}

// LoadLocked is Load for a busy stream (a budget, which every final
// approval and payment of a year touches): it first takes this process's
// lock on the stream, held until the attempt ends, so that commands in one
// process queue for it instead of conflicting with each other over and
// over. Commands in other processes still meet the optimistic check.
func (w *Work) LoadLocked(ctx context.Context, stream string) ([]event.Recorded, error) {
	if w.hot != nil {
		unlock, err := w.hot.lock(ctx, stream)
		if err != nil {
			return nil, err
		}
		w.held = append(w.held, unlock)
	}
	return w.Load(ctx, stream)
}

// LockOnly takes this process's lock on a busy stream that the command
// appends to without reading it (a budget's spending).
func (w *Work) LockOnly(ctx context.Context, stream string) error {
	if w.hot == nil {
		return nil
	}
	unlock, err := w.hot.lock(ctx, stream)
	if err != nil {
		return err
	}
	w.held = append(w.held, unlock)
	return nil
}

// Release lets go of the locks the attempt took.
func (w *Work) Release() {
	for _, unlock := range w.held {
		unlock()
	}
	w.held = nil
}

// Add queues events for stream. A stream that was not loaded must be new.
func (w *Work) Add(stream string, events ...event.Event) {
	if len(events) == 0 {
		return
	}
	if _, ok := w.pending[stream]; !ok {
		w.order = append(w.order, stream)
	}
	w.pending[stream] = append(w.pending[stream], events...)
}

// AddIndex queues events for a stream that indexes others (an account's
// assignments): appended at whatever version it has, so that commands on
// different cases never conflict over it. Its order per case follows the
// case's own, which its readers rely on.
func (w *Work) AddIndex(stream string, events ...event.Event) {
	w.Add(stream, events...)
	w.anyVersion[stream] = true
}

// Commit stamps every queued event not stamped already with meta (a
// command whose events act under different grants stamps them as it
// queues them) and commits them as one transaction. It returns the position of the last event written; a
// command that decided nothing (renaming to the same name) writes nothing
// and returns 0, which every read has reached.
func (w *Work) Commit(ctx context.Context, meta event.Metadata) (int64, error) {
	if len(w.order) == 0 {
		return 0, nil
	}
	tx := event.Transaction{}
	for _, stream := range w.order {
		events := w.pending[stream]
		for i := range events {
			if events[i].Metadata == (event.Metadata{}) { // not stamped at queueing
				events[i].Metadata = meta
			}
		}
		keyEventIDs(w.Actor, stream, events)
		expected := event.Exact(w.read[stream])
		if w.anyVersion[stream] {
			expected = event.Any
		}
		tx.Appends = append(tx.Appends, event.StreamAppend{Stream: stream, Expected: expected, Events: events})
	}
	for stream, version := range w.read {
		if _, appended := w.pending[stream]; !appended {
			tx.Require = append(tx.Require, event.Requirement{Stream: stream, Version: version})
		}
	}
	results, err := w.store.Commit(ctx, tx)
	if err != nil {
		return 0, err
	}
	return results[len(results)-1].Position, nil
}

// AddAnswer queues the record of the command's answer as the last append
// of the transaction, so that its position is the command's.
func (w *Work) AddAnswer(stream, command string, answer any) error {
	data, err := event.EncodeCommandAnswered(command, answer)
	if err != nil {
		return err
	}
	w.Add(stream, event.Event{ID: event.NewID(), Type: event.TypeCommandAnswered, Data: data})
	return nil
}
