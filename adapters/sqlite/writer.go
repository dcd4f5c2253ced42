package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// writeLoop is the Store's only writer. It takes the first waiting request
// (an Append or a Commit), then every other request waiting at that moment
// (up to batchLimit), and commits them in one transaction: while one batch waits for its fsync, the
// next one gathers. It stops when Close is called, after its current batch.
//
// ctx is never cancelled: a batch that has begun runs to its commit or
// rollback, so an append's caller always learns the real outcome.
func (s *Store) writeLoop(ctx context.Context) {
	defer close(s.stopped)
	var prepared *stmts // prepared on the first batch: the schema may not exist before
	defer func() {
		if prepared != nil {
			prepared.close() //nolint:errcheck // the handle closes next
		}
	}()
	batch := make([]*writeReq, 0, s.batchLimit)
	for {
		batch = batch[:0]
		select {
		case <-s.closing:
			return
		case r := <-s.reqs:
			batch = append(batch, r)
		}
	gather:
		for len(batch) < s.batchLimit {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		if n := int64(len(batch)); n > s.largestBatch.Load() {
			s.largestBatch.Store(n)
		}
		if prepared == nil {
			var err error
			if prepared, err = prepareStmts(ctx, s.write); err != nil {
				s.failBatch(batch, err)
				clear(batch)
				continue
			}
		}
		s.commitBatch(ctx, prepared, batch)
		clear(batch) // let the answered requests be collected
	}
}

// commitBatch runs batch and answers every request in it that its caller
// still waits for.
func (s *Store) commitBatch(ctx context.Context, prepared *stmts, batch []*writeReq) {
	results := make([]writeResult, len(batch))
	started := make([]bool, len(batch))
	written, err := s.runBatch(ctx, prepared, batch, results, started)
	if err != nil {
		// Nothing of the batch committed. Every request fails with the
		// batch's error, refused ones too: their refusal was decided
		// against appends that are now undone.
		for i := range results {
			results[i] = writeResult{err: batch[i].wrap(err)}
		}
	} else if written {
		s.wake.Broadcast()
	}
	for i, r := range batch {
		if started[i] {
			r.done <- results[i]
		}
	}
}

// runBatch runs each request of batch (an Append, or a Commit with all its
// appends) in its own savepoint of one transaction and commits. A request
// that fails (a conflict, a duplicate id, or a statement SQLite refused)
// rolls back its savepoint and keeps its own error in results; the others
// go on. If the savepoint itself cannot be
// rolled back or released, SQLite has ended the transaction (an I/O error,
// a full disk): runBatch returns that error and nothing is committed.
// Callers are answered only after the commit, so no caller is told of
// success for an append that did not commit. written reports whether any
// request succeeded.
func (s *Store) runBatch(ctx context.Context, prepared *stmts, batch []*writeReq, results []writeResult, started []bool) (written bool, err error) {
	tx, err := s.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: see OpenDB
	if err != nil {
		s.startAll(batch, started)
		return false, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it only reports ErrTxDone
	st := prepared.bind(ctx, tx)
	defer st.close() //nolint:errcheck // statements bound to a finished transaction

	for i, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqStarted) {
			continue // its caller gave up before we reached it
		}
		started[i] = true
		if _, err := st.savepoint.ExecContext(ctx); err != nil {
			s.startAll(batch[i+1:], started[i+1:])
			return false, fmt.Errorf("savepoint: %w", err)
		}
		out, reqErr := writeTx(ctx, st, r, formatTime(time.Now()))
		if reqErr != nil {
			if _, err := st.rollbackTo.ExecContext(ctx); err != nil {
				s.startAll(batch[i+1:], started[i+1:])
				return false, errors.Join(reqErr, fmt.Errorf("rollback to savepoint: %w", err))
			}
		}
		if _, err := st.release.ExecContext(ctx); err != nil {
			s.startAll(batch[i+1:], started[i+1:])
			return false, errors.Join(reqErr, fmt.Errorf("release savepoint: %w", err))
		}
		results[i] = writeResult{out: out, err: reqErr}
		written = written || reqErr == nil
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return written, nil
}

// failBatch answers every request of batch whose caller still waits with
// err; nothing of the batch was written.
func (s *Store) failBatch(batch []*writeReq, err error) {
	for _, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqStarted) {
			r.done <- writeResult{err: r.wrap(err)}
		}
	}
}

// startAll marks as started the requests of batch whose callers still wait,
// so that they are answered with the batch's error.
func (s *Store) startAll(batch []*writeReq, started []bool) {
	for i, r := range batch {
		if r.state.CompareAndSwap(reqQueued, reqStarted) {
			started[i] = true
		}
	}
}

// timeLayout stores times as RFC 3339 in UTC with all nine fractional
// digits: fixed width, so the text sorts as the time does, and readable by
// SQLite's date functions and any analyst's tool.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
