package uow

import (
	"context"
	"sync"
)

// StreamLocks are this process's locks on busy streams, one per stream
// name, created on first use and dropped when no one holds or waits for
// them. A lock is a channel of capacity one, so waiting for it honours the
// context.
type StreamLocks struct {
	mu    sync.Mutex
	locks map[string]*streamLock
}

type streamLock struct {
	ch    chan struct{}
	users int // holders and waiters
}

// NewStreamLocks returns a process's set of stream locks, all free.
func NewStreamLocks() *StreamLocks { return &StreamLocks{locks: map[string]*streamLock{}} }

// lock takes stream's lock and returns its release.
func (s *StreamLocks) lock(ctx context.Context, stream string) (func(), error) {
	s.mu.Lock()
	l := s.locks[stream]
	if l == nil {
		l = &streamLock{ch: make(chan struct{}, 1)}
		s.locks[stream] = l
	}
	l.users++
	s.mu.Unlock()
	done := func() {
		s.mu.Lock()
		l.users--
		if l.users == 0 {
			delete(s.locks, stream)
		}
		s.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}
