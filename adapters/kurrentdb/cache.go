package kurrentdb

import "sync"

// cache keeps the most recently read log events, decoded, by log
// revision, so that reading a stream whose events are spread over many
// transactions does not cost one read of the log per transaction. Log
// events never change, so a cached event is never stale; the cache only
// bounds memory, forgetting the oldest entries first. Safe for concurrent
// use.
type cache struct {
	size  int // fixed at creation
	mu    sync.Mutex
	byRev map[uint64]stored
	ring  []uint64 // revisions in the order they were cached
	next  int      // the ring slot to reuse next once the ring is full
}

func newCache(size int) *cache {
	return &cache{size: size, byRev: make(map[uint64]stored, size), ring: make([]uint64, 0, size)}
}

func (c *cache) get(rev uint64) (stored, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.byRev[rev]
	return s, ok
}

func (c *cache) put(rev uint64, s stored) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byRev[rev]; ok {
		return
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, rev)
	} else {
		delete(c.byRev, c.ring[c.next])
		c.ring[c.next] = rev
		c.next = (c.next + 1) % len(c.ring)
	}
	c.byRev[rev] = s
}
