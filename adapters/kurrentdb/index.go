package kurrentdb

import (
	"fmt"
	"sort"
	"sync"

	"github.com/google/uuid"
)

// index is this process's map of the log: for every log revision its
// global position, for every aidtrail stream the log revisions of its
// events in version order, for every event id its log revision. It only
// grows, by reading the log forward (Store.refresh). Safe for concurrent
// use.
type index struct {
	mu        sync.RWMutex
	positions []int64              // log revision → commit position
	streams   map[string][]uint64  // aidtrail stream → log revisions
	ids       map[uuid.UUID]uint64 // event id → log revision
}

func newIndex() *index {
	return &index{streams: map[string][]uint64{}, ids: map[uuid.UUID]uint64{}}
}

// entry is what the index learns of one log event.
type entry struct {
	id       uuid.UUID
	stream   string
	version  int64
	position int64
}

// add indexes log events read from revision from on. It refuses events
// that do not continue the index exactly (a revision already indexed is
// skipped, as when two readers raced), so that a damaged log is reported
// instead of served.
func (x *index) add(from uint64, entries []entry) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, e := range entries {
		rev := from + uint64(i)
		n := uint64(len(x.positions))
		if rev < n {
			continue
		}
		if rev > n {
			return fmt.Errorf("kurrentdb: log revision %d read while %d is not indexed", rev, n)
		}
		if want := int64(len(x.streams[e.stream])) + 1; e.version != want {
			return fmt.Errorf("kurrentdb: log revision %d holds version %d of %q; want version %d", rev, e.version, e.stream, want)
		}
		if n > 0 && e.position < x.positions[n-1] {
			return fmt.Errorf("kurrentdb: log revision %d at position %d, before %d", rev, e.position, x.positions[n-1])
		}
		if prior, dup := x.ids[e.id]; dup {
			return fmt.Errorf("kurrentdb: event id %s at log revisions %d and %d", e.id, prior, rev)
		}
		x.positions = append(x.positions, e.position)
		x.streams[e.stream] = append(x.streams[e.stream], rev)
		x.ids[e.id] = rev
	}
	return nil
}

// addWritten indexes the events this process has just appended at log
// revision base on, knowing the position of the last one only (KurrentDB
// reports it). The others get it too, as an upper bound: positions in
// the index only serve to find where to start reading the global order
// (see after), which an upper bound keeps safe. Revisions a concurrent
// refresh indexed already are left as they are.
func (x *index) addWritten(base uint64, entries []entry, last int64) error {
	x.mu.RLock()
	n := uint64(len(x.positions))
	x.mu.RUnlock()
	if base < n {
		return nil
	}
	for i := range entries {
		entries[i].position = last
	}
	return x.add(base, entries)
}

// next is the first log revision not indexed: the number of log events
// indexed.
func (x *index) next() uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return uint64(len(x.positions))
}

// head is the position of the last indexed event, 0 when none.
func (x *index) head() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if len(x.positions) == 0 {
		return 0
	}
	return x.positions[len(x.positions)-1]
}

// after is the first log revision whose indexed position is above p (the
// revision after the index when none is). An indexed position is exact
// or, for events this process wrote, an upper bound, so no revision
// before the one returned is above p; some after it may not be either.
func (x *index) after(p int64) uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return uint64(sort.Search(len(x.positions), func(i int) bool { return x.positions[i] > p }))
}

// span returns the revisions from, from+1, ... up to n of them, as far
// as they are indexed.
func (x *index) span(from uint64, n int) []uint64 {
	x.mu.RLock()
	end := min(uint64(len(x.positions)), from+uint64(n))
	x.mu.RUnlock()
	var out []uint64
	for r := from; r < end; r++ {
		out = append(out, r)
	}
	return out
}

// revisions returns the log revisions of stream's events with version ≥
// from, and the stream's version.
func (x *index) revisions(stream string, from int64) ([]uint64, int64) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	revs := x.streams[stream]
	first := max(from, 1) - 1
	if first >= int64(len(revs)) {
		return nil, int64(len(revs))
	}
	return append([]uint64(nil), revs[first:]...), int64(len(revs))
}

// view is a consistent look at the index for deciding one write.
type view struct{ x *index }

// read runs fn with the index held still.
func (x *index) read(fn func(view) error) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return fn(view{x})
}

func (v view) next() uint64                { return uint64(len(v.x.positions)) }
func (v view) version(stream string) int64 { return int64(len(v.x.streams[stream])) }
func (v view) position(rev uint64) int64   { return v.x.positions[rev] }
func (v view) stored(id uuid.UUID) (uint64, bool) {
	rev, ok := v.x.ids[id]
	return rev, ok
}
