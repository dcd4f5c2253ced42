package storetest

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// memStore is a TEST FAKE, not an adapter: a small in-memory EventStore that
// exists only to check the conformance suite itself (that every test runs,
// passes against a correct store, and fails against the broken variants in
// broken_test.go). Nothing outside this package's tests uses it.
//
// An append takes its positions under the lock, lets other goroutines run,
// then commits under the lock again, so concurrent appends really do commit
// out of position order; readers stop below the lowest position still in
// flight.
type memStore struct {
	bugs bugs

	mu       sync.Mutex
	cond     *sync.Cond
	wake     chan struct{} // closed and replaced on every commit
	events   []*event.Recorded
	streams  map[string][]*event.Recorded
	byID     map[uuid.UUID]stored
	next     int64                 // last position handed out
	inflight map[*pending]struct{} // appends with positions but not committed
	busy     map[string]bool       // streams with an append in flight
	busyIDs  map[uuid.UUID]bool    // ids of appends in flight
}

type stored struct {
	rec    *event.Recorded
	result event.Appended // of the append that wrote it
}

type pending struct {
	stream string
	recs   []*event.Recorded
	result event.Appended
}

func newMemStore(b bugs) *memStore {
	s := &memStore{
		bugs:     b,
		wake:     make(chan struct{}),
		streams:  map[string][]*event.Recorded{},
		byID:     map[uuid.UUID]stored{},
		inflight: map[*pending]struct{}{},
		busy:     map[string]bool{},
		busyIDs:  map[uuid.UUID]bool{},
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

var _ commands.EventStore = (*memStore)(nil)

func (s *memStore) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	p, res, err := s.begin(ctx, stream, expected, events)
	if err != nil || p == nil {
		return res, err
	}
	runtime.Gosched() // let later appends take higher positions and commit first
	return s.commit(ctx, p)
}

// begin checks an append and gives it versions and positions; p is nil when
// the append is a retry of one already stored (res is then its result).
func (s *memStore) begin(ctx context.Context, stream string, expected event.ExpectedVersion, events []event.Event) (p *pending, res event.Appended, err error) {
	if !s.bugs.noValidation {
		if err := event.ValidateAppend(stream, expected, events); err != nil {
			return nil, res, err
		}
	}
	if !s.bugs.halfWriteOnCancel {
		if err := ctx.Err(); err != nil {
			return nil, res, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.busy[stream] || s.idsBusy(events) {
		s.cond.Wait()
	}
	if !s.bugs.noIdempotency {
		if p, res, err := s.retried(stream, events); p || err != nil {
			return nil, res, err
		}
	}
	if err := s.checkVersion(stream, expected); err != nil {
		return nil, res, err
	}
	return s.reserve(stream, events), res, nil
}

func (s *memStore) idsBusy(events []event.Event) bool {
	return slices.ContainsFunc(events, func(e event.Event) bool { return s.busyIDs[e.ID] })
}

// checkVersion refuses an append to stream unless it is at expected.
func (s *memStore) checkVersion(stream string, expected event.ExpectedVersion) error {
	version := int64(len(s.streams[stream]))
	if expected != event.Any && int64(expected) != version && !s.bugs.ignoreExpected {
		return &event.ConcurrencyError{Stream: stream, Expected: expected, Actual: version}
	}
	return nil
}

// reserve gives events their versions and positions and marks the stream
// and the ids in flight until land.
func (s *memStore) reserve(stream string, events []event.Event) *pending {
	version := int64(len(s.streams[stream]))
	p := &pending{stream: stream}
	now := time.Now().UTC()
	for _, e := range events {
		version++
		s.next++
		p.recs = append(p.recs, &event.Recorded{
			ID: e.ID, Stream: stream, Version: version, Position: s.next, Type: e.Type,
			Data: slices.Clone(e.Data), Metadata: e.Metadata, RecordedAt: now,
		})
		s.busyIDs[e.ID] = true
	}
	p.result = event.Appended{Version: version, Position: s.next}
	s.busy[stream] = true
	s.inflight[p] = struct{}{}
	return p
}

// retried reports whether every id of the append is stored, identically;
// any other reuse of a stored id is ErrDuplicateEvent.
func (s *memStore) retried(stream string, events []event.Event) (bool, event.Appended, error) {
	found := 0
	var res event.Appended
	for _, e := range events {
		st, ok := s.byID[e.ID]
		if !ok {
			continue
		}
		found++
		res = st.result
		if st.rec.Stream != stream || diffEvent(*st.rec, e) != "" {
			return false, res, event.ErrDuplicateEvent
		}
	}
	switch found {
	case 0:
		return false, res, nil
	case len(events):
		return true, res, nil
	default:
		return false, res, event.ErrDuplicateEvent
	}
}

func (s *memStore) commit(ctx context.Context, p *pending) (event.Appended, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := p.recs
	var err error
	if s.bugs.halfWriteOnCancel && ctx.Err() != nil {
		recs, err = recs[:len(recs)/2], ctx.Err()
	}
	s.land(p, recs)
	s.notify()
	return p.result, err
}

// land stores recs (p's events, or the part of them a fault keeps) and
// ends p's time in flight. The caller holds the lock and calls notify.
func (s *memStore) land(p *pending, recs []*event.Recorded) {
	for _, r := range recs {
		i := sort.Search(len(s.events), func(i int) bool { return s.events[i].Position > r.Position })
		s.events = slices.Insert(s.events, i, r)
		s.streams[r.Stream] = append(s.streams[r.Stream], r)
		s.byID[r.ID] = stored{rec: r, result: p.result}
	}
	for _, r := range p.recs {
		delete(s.busyIDs, r.ID)
	}
	delete(s.busy, p.stream)
	delete(s.inflight, p)
}

// notify wakes appends waiting for a stream and subscribers waiting for
// events. The caller holds the lock.
func (s *memStore) notify() {
	s.cond.Broadcast()
	close(s.wake)
	s.wake = make(chan struct{})
}

// safe returns the highest position readers may pass: below every position
// still in flight.
func (s *memStore) safe() int64 {
	limit := s.next
	if s.bugs.readPastInFlight {
		return limit
	}
	for p := range s.inflight {
		if len(p.recs) > 0 {
			limit = min(limit, p.recs[0].Position-1)
		}
	}
	return limit
}

func (s *memStore) ReadStream(_ context.Context, stream string, from int64) ([]event.Recorded, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.streams[stream]
	if len(recs) == 0 {
		return nil, event.ErrNotFound
	}
	out := []event.Recorded{}
	for _, r := range recs {
		if r.Version >= from || s.bugs.ignoreFrom {
			out = append(out, *r)
		}
	}
	return out, nil
}

func (s *memStore) ReadAll(_ context.Context, after int64, limit int) ([]event.Recorded, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	safe := s.safe()
	i := sort.Search(len(s.events), func(i int) bool { return s.events[i].Position > after })
	var out []event.Recorded
	for ; i < len(s.events) && len(out) < limit && s.events[i].Position <= safe; i++ {
		out = append(out, *s.events[i])
	}
	return out, nil
}

func (s *memStore) Head(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	safe := s.safe()
	if s.bugs.headAhead {
		return s.next, nil
	}
	i := sort.Search(len(s.events), func(i int) bool { return s.events[i].Position > safe })
	if i == 0 {
		return 0, nil
	}
	return s.events[i-1].Position, nil
}

func (s *memStore) Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error {
	err := s.subscribe(ctx, after, fn)
	if s.bugs.subscribeNilErr {
		return nil
	}
	return err
}

func (s *memStore) subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error {
	if s.bugs.subscribeRepeats && after > 0 {
		after--
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		wake := s.wake
		s.mu.Unlock()
		events, err := s.ReadAll(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, e := range events {
			after = e.Position
			if s.bugs.subscribeSkips && e.Position%7 == 3 {
				continue
			}
			if err := fn(ctx, e); err != nil {
				return err
			}
		}
		if len(events) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// memHarness plugs the fake into the suite, with Begin splitting appends
// between drawing their positions and committing them.
func memHarness(b bugs) Harness {
	return Harness{
		New: func(*testing.T) commands.EventStore { return newMemStore(b) },
		Begin: func(ctx context.Context, t *testing.T, es commands.EventStore) Tx {
			return &memTx{ctx: ctx, s: es.(*memStore)}
		},
	}
}

// memTx holds appends whose positions are drawn until Commit. The fake has
// no order of transactions apart from its positions, so when a transaction
// began does not matter to it.
type memTx struct {
	ctx     context.Context
	s       *memStore
	pending []*pending
}

func (tx *memTx) Append(stream string, events ...event.Event) error {
	p, _, err := tx.s.begin(tx.ctx, stream, event.Any, events)
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("memTx: append to %q must be retried", stream)
	}
	tx.pending = append(tx.pending, p)
	return nil
}

func (tx *memTx) Commit() error {
	for _, p := range tx.pending {
		if _, err := tx.s.commit(context.Background(), p); err != nil {
			return err
		}
	}
	return nil
}

// TestMemStore runs the suite against the fake, once as a store whose
// commits can land out of order and once as one that serialises writers.
func TestMemStore(t *testing.T) {
	t.Run("WithBegin", func(t *testing.T) { Run(t, memHarness(bugs{})) })
	t.Run("WithoutBegin", func(t *testing.T) {
		h := memHarness(bugs{})
		h.Begin = nil
		Run(t, h)
	})
}
