package kurrentdb

import (
	"context"
	"fmt"

	"aidtrail/domain/event"
)

// ReadStream returns stream's events with version ≥ from, as stored when
// it was called.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64) ([]event.Recorded, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	revs, version := s.idx.revisions(stream, from)
	if version == 0 {
		return nil, fmt.Errorf("kurrentdb: stream %q: %w", stream, event.ErrNotFound)
	}
	recs, err := s.readRevisions(ctx, revs)
	if err != nil {
		return nil, err
	}
	return records(recs), nil
}

// ReadAll returns at most limit events with position > after, in global
// order: the log read from the first revision above after. The log holds
// committed events only, in position order, so nothing below a returned
// event can commit later.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error) {
	if limit <= 0 {
		return nil, nil
	}
	if after >= s.idx.head() {
		// The position may come from a revision this process has not
		// indexed yet (another process wrote it): index up to it first.
		if err := s.refresh(ctx); err != nil {
			return nil, err
		}
	}
	from := s.idx.after(after)
	for {
		var recs []stored
		var err error
		if revs := s.idx.span(from, limit); len(revs) == limit {
			recs, err = s.readRevisions(ctx, revs) // indexed: perhaps cached
		} else {
			recs, err = s.readLog(ctx, from, uint64(limit))
		}
		if err != nil {
			return nil, err
		}
		out := records(recs)
		// Events this process wrote are indexed at an upper bound of their
		// positions: the first few read may not be above after.
		for len(out) > 0 && out[0].Position <= after {
			out = out[1:]
		}
		if len(out) > 0 || len(recs) < limit {
			return out, nil
		}
		from += uint64(len(recs))
	}
}

// Head returns the position of the last event in the log.
func (s *Store) Head(ctx context.Context) (int64, error) {
	if err := s.refresh(ctx); err != nil {
		return 0, err
	}
	return s.idx.head(), nil
}

func records(recs []stored) []event.Recorded {
	out := make([]event.Recorded, len(recs))
	for i, r := range recs {
		out[i] = r.rec
	}
	return out
}
