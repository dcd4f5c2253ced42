package seal

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Report is what Verify found.
type Report struct {
	// OK: every signed head verifies under the public key and matches the
	// tree recomputed from the events as stored, and every sealed leaf is
	// the event now at its place.
	OK bool
	// Events is how many events the log delivers now.
	Events int64
	// Head is the latest signed head (zero when none is signed yet);
	// SealedThrough the position of the last event it covers.
	Head          Head
	SealedThrough int64
	// FirstBadPosition is the first global position at which the log
	// differs from what was sealed (0 with OK, or when only a head is
	// bad); Problem says what is wrong there.
	FirstBadPosition int64
	Problem          string
}

// Verify recomputes the tree from the events log delivers and checks it
// against what db holds: each sealed leaf against the event now at its
// place, in order, and each signed head's signature (under verifier)
// and root. It stops at the first difference and names it. Events after
// the last head are checked against their leaves but covered by no
// signature yet.
func Verify(ctx context.Context, db *sqldb.DB, log Log, verifier note.Verifier) (Report, error) {
	heads, err := storedHeads(ctx, db)
	if err != nil {
		return Report{}, err
	}
	var r Report
	bad := func(position int64, format string, args ...any) (Report, error) {
		r.OK, r.FirstBadPosition, r.Problem = false, position, fmt.Sprintf(format, args...)
		return r, nil
	}
	var verified []Head
	for _, stored := range heads {
		h, err := OpenHead(stored.signed, verifier)
		if err == nil && h.Size != stored.size {
			err = fmt.Errorf("%w: stored as the head over %d events, it signs %d", ErrBadHead, stored.size, h.Size)
		}
		if err != nil {
			position, pErr := leafPosition(ctx, db, stored.size-1)
			if pErr != nil {
				return Report{}, pErr
			}
			return bad(position, "the stored tree head over %d events does not verify under the public key: %v", stored.size, err)
		}
		verified = append(verified, h)
	}
	if len(verified) > 0 {
		r.Head = verified[len(verified)-1]
		r.SealedThrough = r.Head.LastPosition
	}

	tree := newMemoryTree(0)
	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	for b := range readAhead(readCtx, db, log) {
		if b.err != nil {
			return Report{}, b.err
		}
		for i, rec := range b.recs {
			leaf := tlog.RecordHash(event.LeafBytes(rec))
			tree.add(r.Events+int64(i), leaf)
			if i >= len(b.sealed) {
				continue // not sealed yet
			}
			s := b.sealed[i]
			switch {
			case s.position < rec.Position:
				return bad(s.position, "the event sealed at position %d is missing", s.position)
			case s.position > rec.Position:
				return bad(rec.Position, "the event at position %d was not sealed there: inserted since", rec.Position)
			case s.hash != leaf:
				return bad(rec.Position, "the event at position %d has changed since it was sealed", rec.Position)
			}
		}
		r.Events += int64(len(b.recs))
	}
	if tail, err := sealedLeaves(ctx, db, r.Events, 1); err != nil {
		return Report{}, err
	} else if len(tail) > 0 {
		return bad(tail[0].position, "the log ends before position %d, which was sealed", tail[0].position)
	}
	for _, h := range verified {
		if h.Size > r.Events {
			return bad(h.LastPosition, "a signed head covers %d events; the log has %d", h.Size, r.Events)
		}
		root, err := tlog.TreeHash(h.Size, tree)
		if err != nil {
			return Report{}, err
		}
		if root != h.Root {
			first, last, err := firstDivergence(ctx, db, tree, h.Size)
			if err != nil {
				return Report{}, err
			}
			if first == 0 {
				return bad(0, "the signed head over %d events does not match the log as stored", h.Size)
			}
			return bad(first, "the signed head over %d events does not match the log as stored: the events at positions %d to %d differ from what was sealed",
				h.Size, first, last)
		}
	}
	r.OK = true
	return r, nil
}

// batchRead is a batch of the log and the leaves sealed at its places.
type batchRead struct {
	recs   []event.Recorded
	sealed []sealedLeaf
	err    error
}

// readAhead reads the log and its sealed leaves a batch ahead of the
// hashing, which runs beside it; the channel closes at the log's end, on
// an error (sent last) or when ctx ends.
func readAhead(ctx context.Context, db *sqldb.DB, log Log) <-chan batchRead {
	out := make(chan batchRead, 2)
	go func() {
		defer close(out)
		send := func(b batchRead) bool {
			select {
			case out <- b:
				return true
			case <-ctx.Done():
				return false
			}
		}
		after, n := int64(0), int64(0)
		for {
			recs, err := log.ReadAll(ctx, after, readPage)
			if err != nil {
				send(batchRead{err: fmt.Errorf("seal: read the log after %d: %w", after, err)})
				return
			}
			if len(recs) == 0 {
				return
			}
			sealed, err := sealedLeaves(ctx, db, n, int64(len(recs)))
			if err != nil {
				send(batchRead{err: err})
				return
			}
			if !send(batchRead{recs: recs, sealed: sealed}) {
				return
			}
			n += int64(len(recs))
			after = recs[len(recs)-1].Position
		}
	}()
	return out
}

type sealedLeaf struct {
	position int64
	hash     tlog.Hash
}

// sealedLeaves reads leaves from, from+1, … (at most count), as sealed.
func sealedLeaves(ctx context.Context, db *sqldb.DB, from, count int64) ([]sealedLeaf, error) {
	positions, err := sealedPositions(ctx, db, from, count)
	if err != nil {
		return nil, err
	}
	hashes, err := levelHashes(ctx, db, 0, from, int64(len(positions)))
	if err != nil {
		return nil, err
	}
	if len(hashes) < len(positions) {
		return nil, fmt.Errorf("seal: the hash of leaf %d is missing", from+int64(len(hashes)))
	}
	out := make([]sealedLeaf, len(positions))
	for i, p := range positions {
		out[i] = sealedLeaf{position: p, hash: hashes[i]}
	}
	return out, nil
}

type storedHead struct {
	size   int64
	signed []byte
}

// storedHeads returns every stored head, smallest first.
func storedHeads(ctx context.Context, db *sqldb.DB) ([]storedHead, error) {
	rows, err := db.Query(ctx, "SELECT size, signed FROM seal_heads ORDER BY size")
	if err != nil {
		return nil, fmt.Errorf("seal: read the tree heads: %w", err)
	}
	defer rows.Close()
	var out []storedHead
	for rows.Next() {
		var h storedHead
		var s string
		if err := rows.Scan(&h.size, &s); err != nil {
			return nil, err
		}
		h.signed = []byte(s)
		out = append(out, h)
	}
	return out, errors.Join(rows.Err())
}

// firstDivergence finds where the tree recomputed from the log first
// differs from the hashes stored when it was sealed, among the first size
// leaves: the lowest-level stored hash that differs, leftmost, covers the
// leaves where a change was hidden (a leaf hash rewritten to match a
// changed event leaves the hash stored above it differing: tiles keep
// every tileHeight-th level). It returns the positions of the first and
// last of those leaves (0, 0 when every stored hash was rewritten to
// match, and only the signed root tells).
func firstDivergence(ctx context.Context, db *sqldb.DB, tree memoryTree, size int64) (int64, int64, error) {
	for tileLevel := 0; size>>(tileLevel*tileHeight) > 0; tileLevel++ {
		level := tileLevel * tileHeight
		count := size >> level // the complete subtrees at this level
		stored, err := levelHashes(ctx, db, tileLevel, 0, count)
		if err != nil {
			return 0, 0, err
		}
		for k, h := range stored {
			x := tlog.StoredHashIndex(level, int64(k))
			if x >= int64(len(tree)) || h == tree[x] {
				continue
			}
			first := int64(k) << level
			last := min(int64(k+1)<<level, size) - 1
			a, err := leafPosition(ctx, db, first)
			if err != nil {
				return 0, 0, err
			}
			b, err := leafPosition(ctx, db, last)
			return a, b, err
		}
	}
	return 0, 0, nil
}
