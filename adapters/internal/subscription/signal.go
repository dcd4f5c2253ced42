// Package subscription implements the catch-up-then-live loop that every
// event-store adapter offers as Subscribe, on top of the adapter's own safe
// read of the global order and a wake-up signal.
package subscription

import "sync"

// Signal wakes any number of waiters when new events may be readable. The
// zero value is not usable; call NewSignal.
//
// A waiter takes C before it reads and waits on it only if the read found
// nothing new, so a Broadcast between the read and the wait is never lost.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewSignal returns a Signal with no pending wake-up.
func NewSignal() *Signal { return &Signal{ch: make(chan struct{})} }

// C returns a channel that is closed by the next Broadcast.
func (s *Signal) C() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

// Broadcast wakes every waiter that took C before this call.
func (s *Signal) Broadcast() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.ch)
	s.ch = make(chan struct{})
}
