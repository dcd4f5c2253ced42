package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"aidtrail/domain/event"
)

// Append writes events to the end of stream if it is at the expected
// version: a transaction of one append (see the package documentation).
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	if err := event.ValidateAppend(stream, expected, events); err != nil {
		return event.Appended{}, err
	}
	res, err := s.write(ctx, event.Transaction{Appends: []event.StreamAppend{{Stream: stream, Expected: expected, Events: events}}})
	if err != nil {
		return event.Appended{}, err
	}
	return res[0], nil
}

// Commit performs a transaction as one append to the log.
func (s *Store) Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	if err := event.ValidateTransaction(tx); err != nil {
		return nil, err
	}
	return s.write(ctx, tx)
}

// write checks tx against the index and appends it to the log under the
// log revision it was checked against, again until the log has not moved
// in between. The first attempt trusts the index as it is (the append's
// expected revision catches a stale one); a refusal is only reported once
// the index is up to date. The caller's context is honoured until the
// append is sent; from then on the append and the read of its positions
// run to their outcome, so that an error before that point means nothing
// was written.
func (s *Store) write(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	s.writing.Lock()
	defer s.writing.Unlock()
	fresh := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		plan, err := s.plan(ctx, tx)
		if refusal(err) && !fresh {
			if err := s.refresh(ctx); err != nil {
				return nil, err
			}
			fresh = true
			continue
		}
		if err != nil || plan.done != nil {
			return plan.done, err
		}
		expected := esdb.ExpectedRevision(esdb.NoStream{})
		if plan.base > 0 {
			expected = esdb.Revision(plan.base - 1)
		}
		sure := context.WithoutCancel(ctx)
		written, err := s.appendLog(sure, expected, plan.events)
		if isCode(err, esdb.ErrorCodeWrongExpectedVersion) {
			// Another writer appended to the log: check again on the
			// newer state.
			if err := s.refresh(ctx); err != nil {
				return nil, err
			}
			fresh = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("kurrentdb: append to the log (the outcome is unknown if the connection broke; retry with the same event ids): %w", translate(err))
		}
		if len(plan.ends) == 1 && written.CommitPosition > 0 && written.CommitPosition <= math.MaxInt64 {
			// One append: KurrentDB reported its last event's position,
			// which is all its result needs.
			last := int64(written.CommitPosition)
			if err := s.idx.addWritten(plan.base, plan.entries, last); err != nil {
				return nil, err
			}
			return []event.Appended{{Version: plan.vers[0], Position: last}}, nil
		}
		if err := s.refresh(sure); err != nil {
			return nil, fmt.Errorf("kurrentdb: appended, but reading the positions back failed (retry with the same event ids): %w", err)
		}
		return plan.results(s.idx)
	}
}

// appendLog appends events to the log under the expected revision.
func (s *Store) appendLog(ctx context.Context, expected esdb.ExpectedRevision, events []esdb.EventData) (*esdb.WriteResult, error) {
	s.calls.RLock()
	defer s.calls.RUnlock()
	return s.client.AppendToStream(ctx, s.cfg.Log, esdb.AppendToStreamOptions{ExpectedRevision: expected}, events...)
}

// refusal reports whether err refuses a write on the index's word: a
// version conflict or a reused event id, which a stale index may claim
// wrongly.
func refusal(err error) bool {
	return errors.Is(err, event.ErrConcurrency) || errors.Is(err, event.ErrDuplicateEvent)
}

// plan is one attempt at a transaction: the log events to append at log
// revision base on, or the answer when nothing is to be written.
type plan struct {
	base    uint64
	events  []esdb.EventData
	entries []entry  // what the index learns of events, positions aside
	ends    []uint64 // per append: the log revision of its last event
	vers    []int64  // per append: the stream's version after it
	done    []event.Appended
}

// plan checks tx against the index: a repeat of a stored transaction is
// answered from the log; a conflict is a *event.ConcurrencyError naming
// the first stream out of date; otherwise the events are numbered from the
// streams' versions and the log's next revision.
func (s *Store) plan(ctx context.Context, tx event.Transaction) (plan, error) {
	var p plan
	var storedRevs [][]uint64
	err := s.idx.read(func(v view) error {
		var err error
		if storedRevs, err = storedParts(v, tx); err != nil || storedRevs != nil {
			return err
		}
		for _, a := range tx.Appends {
			if actual := v.version(a.Stream); a.Expected != event.Any && int64(a.Expected) != actual {
				return &event.ConcurrencyError{Stream: a.Stream, Expected: a.Expected, Actual: actual}
			}
		}
		for _, r := range tx.Require {
			if actual := v.version(r.Stream); actual != r.Version {
				return &event.ConcurrencyError{Stream: r.Stream, Expected: event.Exact(r.Version), Actual: actual}
			}
		}
		p.base = v.next()
		rev := p.base
		for _, a := range tx.Appends {
			version := v.version(a.Stream)
			for _, e := range a.Events {
				version++
				data, err := encode(a.Stream, version, e)
				if err != nil {
					return err
				}
				p.events = append(p.events, data)
				p.entries = append(p.entries, entry{id: e.ID, stream: a.Stream, version: version})
				rev++
			}
			p.ends = append(p.ends, rev-1)
			p.vers = append(p.vers, version)
		}
		return nil
	})
	if err != nil || storedRevs == nil {
		return p, err
	}
	p.done, err = s.answerRepeat(ctx, tx, storedRevs)
	return p, err
}

// results are the Appended of each append once the index holds the log
// events written.
func (p plan) results(x *index) ([]event.Appended, error) {
	out := make([]event.Appended, len(p.ends))
	err := x.read(func(v view) error {
		for i, rev := range p.ends {
			if rev >= v.next() {
				return fmt.Errorf("kurrentdb: log revision %d written but not read back", rev)
			}
			out[i] = event.Appended{Version: p.vers[i], Position: v.position(rev)}
		}
		return nil
	})
	return out, err
}
