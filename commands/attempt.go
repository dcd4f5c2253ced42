package commands

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

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
func (a *App) attempt(ctx context.Context, actor Actor, command string, answer any, decide func(*uow.Work) (event.Metadata, error)) (position int64, err error) {
	if a.observer != nil {
		start := time.Now()
		defer func() { a.observer.CommandDone(command, time.Since(start), err) }()
	}
	return a.decideAndCommit(ctx, actor, command, answer, decide)
}

// decideAndCommit is attempt's work: decide, commit, retry a stale read.
func (a *App) decideAndCommit(ctx context.Context, actor Actor, command string, answer any, decide func(*uow.Work) (event.Metadata, error)) (int64, error) {
	answers := ""
	if actor.IdempotencyKey != "" {
		answers = uow.AnswerStream(actor, command)
	}
	var err error
	for attempt := range maxAttempts {
		if answers != "" {
			if pos, found, aerr := a.answeredBefore(ctx, answers, command, answer); aerr != nil || found {
				return pos, aerr
			}
		}
		w := uow.NewCommandWork(a.store, a.hot, a.budgets)
		var meta event.Metadata
		var position int64
		meta, err = decide(w)
		if err == nil && answers != "" && w.Queued() {
			err = w.AddAnswer(answers, command, answer)
		}
		if err == nil {
			position, err = w.Commit(ctx, meta)
		}
		w.Release()
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
