package storetest

import (
	"context"
	"runtime"
	"slices"

	"aidtrail/domain/event"
)

// Commit is the TEST FAKE's transaction (see memStore). It waits until no
// stream it appends to or requires has an append in flight, so a required
// stream's version includes every append that took a lower position; then,
// under one hold of the lock, it checks the whole transaction and reserves
// positions for its appends in order; under a second hold it lands them
// all, so readers see all of it or none of it.
func (s *memStore) Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	if !s.bugs.noValidation {
		if err := event.ValidateTransaction(tx); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps, res, err := s.beginTx(tx)
	if err != nil || ps == nil {
		return res, err
	}
	runtime.Gosched() // let later appends take higher positions and commit first
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]event.Appended, len(ps))
	for i, p := range ps {
		s.land(p, p.recs)
		out[i] = p.result
	}
	s.notify()
	return out, nil
}

// beginTx checks tx and reserves its appends; ps is nil when tx is a retry
// of a stored transaction (res is then its results).
func (s *memStore) beginTx(tx event.Transaction) (ps []*pending, res []event.Appended, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.txBusy(tx) {
		s.cond.Wait()
	}
	if !s.bugs.noIdempotency {
		if res, done, err := s.retriedTx(tx); done || err != nil {
			return nil, res, err
		}
	}
	for _, a := range tx.Appends {
		if err := s.checkVersion(a.Stream, a.Expected); err != nil {
			return nil, nil, s.refuse(ps, err)
		}
		if s.bugs.commitNotAtomic {
			ps = append(ps, s.reserve(a.Stream, a.Events))
		}
	}
	for _, r := range tx.Require {
		if v := int64(len(s.streams[r.Stream])); v != r.Version && !s.bugs.ignoreRequire {
			return nil, nil, s.refuse(ps, &event.ConcurrencyError{Stream: r.Stream, Expected: event.Exact(r.Version), Actual: v})
		}
	}
	if s.bugs.commitNotAtomic {
		return ps, nil, nil
	}
	for _, a := range tx.Appends {
		ps = append(ps, s.reserve(a.Stream, a.Events))
	}
	return ps, nil, nil
}

// refuse returns err; with the commitNotAtomic fault it first lands the
// appends reserved before the refusal.
func (s *memStore) refuse(reserved []*pending, err error) error {
	for _, p := range reserved {
		s.land(p, p.recs)
	}
	if len(reserved) > 0 {
		s.notify()
	}
	return err
}

// txBusy reports whether a stream or an event id of tx is in flight.
func (s *memStore) txBusy(tx event.Transaction) bool {
	for _, a := range tx.Appends {
		if s.busy[a.Stream] || s.idsBusy(a.Events) {
			return true
		}
	}
	return slices.ContainsFunc(tx.Require, func(r event.Requirement) bool { return s.busy[r.Stream] })
}

// retriedTx reports whether every append of tx is stored, identically
// (done, with the stored results); any other reuse of stored ids is
// ErrDuplicateEvent.
func (s *memStore) retriedTx(tx event.Transaction) (res []event.Appended, done bool, err error) {
	res = make([]event.Appended, len(tx.Appends))
	stored := 0
	for i, a := range tx.Appends {
		ok, r, err := s.retried(a.Stream, a.Events)
		if err != nil {
			return nil, false, err
		}
		if ok {
			res[i] = r
			stored++
		}
	}
	switch stored {
	case 0:
		return nil, false, nil
	case len(tx.Appends):
		return res, true, nil
	default:
		return nil, false, event.ErrDuplicateEvent
	}
}
