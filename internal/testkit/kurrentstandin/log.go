package kurrentstandin

import (
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// record is one event of the log.
type record struct {
	id       uuid.UUID
	stream   string
	revision uint64 // 0 for a stream's first event
	position uint64 // commit = prepare position in $all
	typ      string
	metadata map[string]string // system metadata: type, content-type, created
	custom   []byte
	data     []byte
}

// system reports whether r is a system event, which the "exclude system
// events" filter leaves out.
func (r *record) system() bool {
	return strings.HasPrefix(r.stream, "$") || strings.HasPrefix(r.typ, "$")
}

// log is the node's storage: $all in commit order and each stream's
// events in revision order. Safe for concurrent use.
type log struct {
	mu      sync.Mutex
	all     []*record
	streams map[string][]*record
	next    uint64        // the position the next event takes
	changed chan struct{} // closed and replaced whenever events commit
}

func newLog() *log {
	return &log{streams: map[string][]*record{}, next: 1 << 10, changed: make(chan struct{})}
}

// expectation is an append's expected revision, as the Append request
// states it.
type expectation struct {
	kind     expectKind
	revision uint64
}

type expectKind int

const (
	expectAny expectKind = iota
	expectNoStream
	expectExists
	expectRevision
)

// conflict is a refused append: the stream's revision when it was refused.
type conflict struct {
	exists   bool
	revision uint64
}

// append writes events to stream at the end of $all, all or none, if the
// expectation holds. It returns the last record written, or the conflict.
func (l *log) append(stream string, exp expectation, events []*record) (*record, *conflict) {
	l.mu.Lock()
	defer l.mu.Unlock()
	current := l.streams[stream]
	if c := check(current, exp); c != nil {
		return nil, c
	}
	if len(events) == 0 { // an empty append succeeds and writes nothing
		if len(current) == 0 {
			return nil, nil
		}
		return current[len(current)-1], nil
	}
	for i, r := range events {
		r.stream = stream
		r.revision = uint64(len(current) + i)
		r.position = l.next
		// Positions are byte offsets in the real log: the next event
		// starts after this one's bytes.
		l.next += 128 + uint64(len(r.data)+len(r.custom)+len(stream)+len(r.typ))
	}
	l.streams[stream] = append(current, events...)
	l.all = append(l.all, events...)
	close(l.changed)
	l.changed = make(chan struct{})
	return events[len(events)-1], nil
}

func check(current []*record, exp expectation) *conflict {
	n := uint64(len(current))
	c := &conflict{exists: n > 0}
	if n > 0 {
		c.revision = n - 1
	}
	switch exp.kind {
	case expectNoStream:
		if n > 0 {
			return c
		}
	case expectExists:
		if n == 0 {
			return c
		}
	case expectRevision:
		if n == 0 || n-1 != exp.revision {
			return c
		}
	}
	return nil
}

// Records are never changed once appended and slices only grow, so the
// log hands out clipped views of its slices instead of copies.

// stream returns stream's events; nil when it has none.
func (l *log) stream(name string) []*record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clip(l.streams[name])
}

// allFrom returns the events of $all with position ≥ from (> from when
// exclusive), and a channel closed when more events commit.
func (l *log) allFrom(from uint64, exclusive bool) ([]*record, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := firstAt(l.all, from, exclusive)
	return slices.Clip(l.all[i:]), l.changed
}

// allBefore returns the events of $all with position < before (≤ before
// when inclusive), newest last.
func (l *log) allBefore(before uint64, inclusive bool) []*record {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := firstAt(l.all, before, inclusive)
	return slices.Clip(l.all[:i])
}

// end returns the position after the last event.
func (l *log) end() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// firstAt is the index of the first record at position ≥ p (> p when
// after).
func firstAt(all []*record, p uint64, after bool) int {
	lo, hi := 0, len(all)
	for lo < hi {
		mid := (lo + hi) / 2
		if all[mid].position < p || (after && all[mid].position == p) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
