package kurrentdb

import (
	"context"
	"fmt"
	"slices"

	"aidtrail/domain/event"
)

// storedParts looks up tx's event ids in the index. None stored: nil, to
// be written. Every id stored: the log revisions of each append's events,
// to be compared with what was stored. Some stored and others not is
// event.ErrDuplicateEvent.
func storedParts(v view, tx event.Transaction) ([][]uint64, error) {
	found, total := 0, 0
	revs := make([][]uint64, len(tx.Appends))
	for i, a := range tx.Appends {
		for _, e := range a.Events {
			total++
			if rev, ok := v.stored(e.ID); ok {
				found++
				revs[i] = append(revs[i], rev)
			}
		}
	}
	switch found {
	case 0:
		return nil, nil
	case total:
		return revs, nil
	default:
		return nil, fmt.Errorf("kurrentdb: %d of %d event ids stored already: %w", found, total, event.ErrDuplicateEvent)
	}
}

// answerRepeat reads the stored events of a repeated transaction: each
// stored identically, under the same stream, gives the first results
// (per append, the version and position of its last event); any
// difference is event.ErrDuplicateEvent.
func (s *Store) answerRepeat(ctx context.Context, tx event.Transaction, revs [][]uint64) ([]event.Appended, error) {
	out := make([]event.Appended, len(tx.Appends))
	for i, a := range tx.Appends {
		sorted := slices.Sorted(slices.Values(revs[i]))
		recs, err := s.readRevisions(ctx, sorted)
		if err != nil {
			return nil, err
		}
		byID := make(map[[16]byte]stored, len(recs))
		for _, r := range recs {
			byID[r.rec.ID] = r
		}
		for _, e := range a.Events {
			r, ok := byID[e.ID]
			if !ok || !r.same(a.Stream, e) {
				return nil, fmt.Errorf("kurrentdb: event %s stored already with other content: %w", e.ID, event.ErrDuplicateEvent)
			}
			out[i].Version = max(out[i].Version, r.rec.Version)
			out[i].Position = max(out[i].Position, r.rec.Position)
		}
	}
	return out, nil
}
