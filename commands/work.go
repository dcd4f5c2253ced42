package commands

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// work is one attempt of a command: the streams it read, at the versions
// it read them, and the events it decided to append. Committing it appends
// every stream's events at the version it was read at and requires every
// stream it only read to be unchanged, so a decision never stands on facts
// that moved underneath it — in particular not on a position that was
// vacated while the command ran.
type work struct {
	store      EventStore
	actor      Actor            // the authorised actor, whose key (if any) names the events
	read       map[string]int64 // stream → version read (0: did not exist)
	order      []string         // streams in the order their events were added
	pending    map[string][]event.Event
	anyVersion map[string]bool // streams appended at whatever version (indexes)
	hot        *streamLocks    // this process's locks on busy streams; nil in queries
	budgets    *budgetCache    // budgets as last read; nil in queries
	held       []func()        // the locks this attempt holds
}

func newWork(store EventStore) *work {
	return &work{store: store, read: map[string]int64{}, pending: map[string][]event.Event{}, anyVersion: map[string]bool{}}
}

// load reads a whole stream and remembers its version. A missing stream
// reads as no events at version 0. A stream that changed since an earlier
// load in the same work is ErrConcurrency, so the command decides again.
func (w *work) load(ctx context.Context, stream string) ([]event.Recorded, error) {
	history, err := w.store.ReadStream(ctx, stream, 1)
	if err != nil && !errors.Is(err, event.ErrNotFound) {
		return nil, err
	}
	version := int64(0)
	if n := len(history); n > 0 {
		version = history[n-1].Version
	}
	return history, w.noteRead(stream, version)
}

// noteRead records that the decision rests on stream at version. A stream
// that changed since an earlier read in the same work is ErrConcurrency.
func (w *work) noteRead(stream string, version int64) error {
	if first, seen := w.read[stream]; seen && first != version {
		// Read twice, changed between: the decision mixes two states.
		return &event.ConcurrencyError{Stream: stream, Expected: event.Exact(first), Actual: version}
	}
	w.read[stream] = version
	return nil
}

// loadLocked is load for a busy stream (a budget, which every final
// approval and payment of a year touches): it first takes this process's
// lock on the stream, held until the attempt ends, so that commands in one
// process queue for it instead of conflicting with each other over and
// over. Commands in other processes still meet the optimistic check.
func (w *work) loadLocked(ctx context.Context, stream string) ([]event.Recorded, error) {
	if w.hot != nil {
		unlock, err := w.hot.lock(ctx, stream)
		if err != nil {
			return nil, err
		}
		w.held = append(w.held, unlock)
	}
	return w.load(ctx, stream)
}

// lockOnly takes this process's lock on a busy stream that the command
// appends to without reading it (a budget's spending).
func (w *work) lockOnly(ctx context.Context, stream string) error {
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

// release lets go of the locks the attempt took.
func (w *work) release() {
	for _, unlock := range w.held {
		unlock()
	}
	w.held = nil
}

// add queues events for stream. A stream that was not loaded must be new.
func (w *work) add(stream string, events ...event.Event) {
	if len(events) == 0 {
		return
	}
	if _, ok := w.pending[stream]; !ok {
		w.order = append(w.order, stream)
	}
	w.pending[stream] = append(w.pending[stream], events...)
}

// addIndex queues events for a stream that indexes others (an account's
// assignments): appended at whatever version it has, so that commands on
// different cases never conflict over it. Its order per case follows the
// case's own, which its readers rely on.
func (w *work) addIndex(stream string, events ...event.Event) {
	w.add(stream, events...)
	w.anyVersion[stream] = true
}

// commit stamps every queued event not stamped already with meta (a
// command whose events act under different grants stamps them as it
// queues them) and commits them as one transaction. It returns the position of the last event written; a
// command that decided nothing (renaming to the same name) writes nothing
// and returns 0, which every read has reached.
func (w *work) commit(ctx context.Context, meta event.Metadata) (int64, error) {
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
		keyEventIDs(w.actor, stream, events)
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

// maxAttempts bounds how often a command is decided again after the
// streams it read changed before it could commit; between attempts it
// waits a little, randomly, so that writers contending for one stream (a
// unit whose employees are being registered at once) spread out.
const maxAttempts = 12

// attempt runs command for actor: it runs decide, then commits what it
// queued under the metadata decide returned, deciding afresh on newer facts
// while another writer keeps getting there first (event.ErrConcurrency). A
// permanent conflict (fault.ErrConflict) and every other error are
// answered at once.
//
// A command sent with an idempotency key answers a re-run exactly as it
// answered the first run (invariant 4), also when the first run's answer
// was lost between its commit and the client: its transaction ends with a
// record of the answer (event.TypeCommandAnswered in a stream derived from
// the account, the key and command), holding answer (a pointer to what the
// command answers besides its position and the ids derived from its key;
// nil for nothing). A run that finds the record restores answer from it and
// returns its position without deciding again.
func (a *App) attempt(ctx context.Context, actor Actor, command string, answer any, decide func(*work) (event.Metadata, error)) (position int64, err error) {
	if a.observer != nil {
		start := time.Now()
		defer func() { a.observer.CommandDone(command, time.Since(start), err) }()
	}
	return a.decideAndCommit(ctx, actor, command, answer, decide)
}

// decideAndCommit is attempt's work: decide, commit, retry a stale read.
func (a *App) decideAndCommit(ctx context.Context, actor Actor, command string, answer any, decide func(*work) (event.Metadata, error)) (int64, error) {
	answers := ""
	if actor.IdempotencyKey != "" {
		answers = answerStream(actor, command)
	}
	var err error
	for attempt := range maxAttempts {
		if answers != "" {
			if pos, found, aerr := a.answeredBefore(ctx, answers, command, answer); aerr != nil || found {
				return pos, aerr
			}
		}
		w := newWork(a.store)
		w.hot, w.budgets = a.hot, a.budgets
		var meta event.Metadata
		var position int64
		meta, err = decide(w)
		if err == nil && answers != "" && len(w.order) > 0 {
			err = w.addAnswer(answers, command, answer)
		}
		if err == nil {
			position, err = w.commit(ctx, meta)
		}
		w.release()
		if err == nil {
			return position, nil
		}
		if !errors.Is(err, event.ErrConcurrency) || errors.Is(err, fault.ErrConflict) {
			if answers != "" {
				// A run of the same command that committed meanwhile
				// explains the refusal: answer as it did.
				if pos, found, aerr := a.answeredBefore(ctx, answers, command, answer); aerr == nil && found {
					return pos, nil
				}
			}
			return 0, err
		}
		backoff := time.Duration(1+rand.IntN(1<<min(attempt, 5))) * time.Millisecond
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(backoff):
		}
	}
	return 0, err
}

// answeredBefore looks for the record of a keyed command's answer in
// stream; when there is one, it restores answer from it and returns its
// position.
func (a *App) answeredBefore(ctx context.Context, stream, command string, answer any) (int64, bool, error) {
	recs, err := a.store.ReadStream(ctx, stream, 1)
	if errors.Is(err, event.ErrNotFound) || err == nil && len(recs) == 0 {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if err := event.DecodeCommandAnswered(recs[0], command, answer); err != nil {
		return 0, false, err
	}
	return recs[0].Position, true, nil
}

// addAnswer queues the record of the command's answer as the last append
// of the transaction, so that its position is the command's.
func (w *work) addAnswer(stream, command string, answer any) error {
	data, err := event.EncodeCommandAnswered(command, answer)
	if err != nil {
		return err
	}
	w.add(stream, event.Event{ID: event.NewID(), Type: event.TypeCommandAnswered, Data: data})
	return nil
}
