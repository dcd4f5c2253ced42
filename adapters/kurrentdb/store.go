package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"aidtrail/commands"
)

// Store is the KurrentDB event store. All methods are safe for concurrent
// use; several processes may share one log.
type Store struct {
	cfg    Config
	client *esdb.Client
	idx    *index
	cache  *cache
	// syncing serialises reads of the log's tail into the index, so that
	// concurrent callers do not read the same events twice.
	syncing sync.Mutex
	// writing serialises this process's writers: they would only contend
	// for the log's revision otherwise. Writers in other processes meet
	// the expected revision.
	writing sync.Mutex
	// calls is held shared by every call on the client and exclusively by
	// Close: the client must not be closed under a call in flight.
	calls sync.RWMutex
}

var _ commands.EventStore = (*Store)(nil)

// Open connects to KurrentDB and indexes the log (reading it whole), so
// that an unreachable node or a damaged log is reported here.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cs, _ := ConnectionString(cfg.URL)
	conf, err := esdb.ParseConnectionString(cs)
	if err != nil {
		return nil, fmt.Errorf("kurrentdb: connection string %q: %w", redact(cfg.URL), err)
	}
	conf.Logger = clientLogging(cfg.Logger)
	client, err := esdb.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("kurrentdb: connect to %q: %w", redact(cfg.URL), err)
	}
	s := &Store{cfg: cfg, client: client, idx: newIndex(), cache: newCache(max(cfg.CacheEvents, 0))}
	if err := s.refresh(ctx); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("kurrentdb: read the log %q: %w", cfg.Log, err)
	}
	return s, nil
}

// Close waits for the reads and appends in flight, then closes the
// connection; later calls fail, and subscriptions end with an error.
func (s *Store) Close() error {
	s.calls.Lock()
	defer s.calls.Unlock()
	return s.client.Close()
}

// refresh reads the log from the first revision not indexed to its end
// and indexes what it read. Afterwards the index holds every event that
// had committed when refresh was called.
func (s *Store) refresh(ctx context.Context) error {
	s.syncing.Lock()
	defer s.syncing.Unlock()
	for {
		from := s.idx.next()
		recs, err := s.readLog(ctx, from, uint64(s.cfg.ReadBatch))
		if err != nil {
			return err
		}
		entries := make([]entry, len(recs))
		for i, r := range recs {
			entries[i] = entry{id: r.rec.ID, stream: r.rec.Stream, version: r.rec.Version, position: r.rec.Position}
		}
		if err := s.idx.add(from, entries); err != nil {
			return err
		}
		if len(recs) < s.cfg.ReadBatch {
			return nil
		}
	}
}

// readLog reads and decodes at most count log events from revision from
// on, and caches them.
func (s *Store) readLog(ctx context.Context, from, count uint64) ([]stored, error) {
	out := make([]stored, 0, min(count, 1<<16))
	err := s.scanLog(ctx, from, count, func(re *esdb.RecordedEvent) error {
		st, err := decode(re)
		if err != nil {
			return err
		}
		s.cache.put(re.EventNumber, st)
		out = append(out, st)
		return nil
	})
	return out, err
}

// scanLog calls fn with at most count log events from revision from on,
// in order. A log that does not exist yet has no events.
func (s *Store) scanLog(ctx context.Context, from, count uint64, fn func(*esdb.RecordedEvent) error) error {
	s.calls.RLock()
	defer s.calls.RUnlock()
	rs, err := s.client.ReadStream(ctx, s.cfg.Log, esdb.ReadStreamOptions{From: esdb.Revision(from), Direction: esdb.Forwards}, count)
	if err != nil {
		return translate(err)
	}
	defer rs.Close()
	for {
		re, err := rs.Recv()
		switch {
		case errors.Is(err, io.EOF), isCode(err, esdb.ErrorCodeResourceNotFound):
			return nil
		case err != nil:
			return translate(err)
		case re.Event == nil:
			return fmt.Errorf("kurrentdb: log read returned a link without its event")
		}
		if err := fn(re.Event); err != nil {
			return err
		}
	}
}

// readRevisions returns the log events at the given revisions
// (ascending): from the cache where it has them, otherwise read, one read
// per run of consecutive revisions.
func (s *Store) readRevisions(ctx context.Context, revs []uint64) ([]stored, error) {
	out := make([]stored, len(revs))
	for i := 0; i < len(revs); {
		if st, ok := s.cache.get(revs[i]); ok {
			out[i] = st
			i++
			continue
		}
		j := i + 1
		for j < len(revs) && revs[j] == revs[j-1]+1 {
			j++
		}
		part, err := s.readLog(ctx, revs[i], uint64(j-i))
		if err != nil {
			return nil, err
		}
		if len(part) != j-i {
			return nil, fmt.Errorf("kurrentdb: log revisions %d to %d: read %d events", revs[i], revs[j-1], len(part))
		}
		copy(out[i:j], part)
		i = j
	}
	return out, nil
}
