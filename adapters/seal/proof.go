package seal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/internal/sqldb"
)

// ErrNotSealed: the event asked about is not covered by a signed head
// yet, or the head asked to be extended is larger than the latest.
var ErrNotSealed = errors.New("not covered by a signed tree head yet")

// Inclusion proves that the event at Position is leaf Leaf of the tree
// the latest signed head Head states: tlog.CheckRecord(Proof, Head.Size,
// Head.Root, Leaf, LeafHash) holds, and Head.Signed verifies under the
// installation's public key. LeafHash is tlog.RecordHash of the event's
// event.LeafBytes, which the auditor can recompute from the event.
type Inclusion struct {
	Position int64
	Leaf     int64
	LeafHash tlog.Hash
	Proof    tlog.RecordProof
	Head     Head
}

// Prove returns the inclusion proof of the event at position in the
// latest signed head. An Auditor's Prove answers the same, faster.
func Prove(ctx context.Context, db *sqldb.DB, position int64) (Inclusion, error) {
	return prove(ctx, db, nil, position)
}

// prove is Prove reading tiles through cache (nil: none).
func prove(ctx context.Context, db *sqldb.DB, cache *tileCache, position int64) (Inclusion, error) {
	// The leaf, the latest head and the leaf's tiles of levels 0 and 1 in
	// one statement; the other tiles the proof reads, from cache or in a
	// second: a proof is asked for one at a time, often.
	var n sql.NullInt64
	var signed sql.NullString
	var tile0, tile1 []byte
	err := db.QueryRow(ctx, `WITH l AS (SELECT CASE WHEN position + leaves > $1 THEN leaf + ($1 - position) END AS leaf
			FROM seal_runs WHERE position <= $1 ORDER BY position DESC LIMIT 1)
		SELECT (SELECT leaf FROM l), (SELECT signed FROM seal_heads ORDER BY size DESC LIMIT 1),
			(SELECT hashes FROM seal_tiles WHERE level = 0 AND idx = (SELECT leaf FROM l) / $2),
			(SELECT hashes FROM seal_tiles WHERE level = 1 AND idx = (SELECT leaf FROM l) / $3)`,
		position, int64(1)<<tileHeight, int64(1)<<(2*tileHeight)).Scan(&n, &signed, &tile0, &tile1)
	if err != nil {
		return Inclusion{}, fmt.Errorf("seal: find the leaf of position %d: %w", position, err)
	}
	if !signed.Valid {
		return Inclusion{}, ErrNoHead
	}
	head, err := readHead([]byte(signed.String))
	if err != nil {
		return Inclusion{}, err
	}
	if !n.Valid || n.Int64 >= head.Size {
		return Inclusion{}, fmt.Errorf("position %d: %w", position, ErrNotSealed)
	}
	leafIndex := tlog.StoredHashIndex(0, n.Int64)
	var leaf tlog.Hash
	stored := newTileReader(ctx, db, true)
	stored.shared = cache
	for level, data := range [][]byte{tile0, tile1} {
		if data != nil {
			k := tileKey{level, n.Int64 >> (tileHeight * (level + 1))}
			stored.cache[k] = data
			if cache != nil {
				cache.keep(k, data)
			}
		}
	}
	withLeaf := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes, err := stored.ReadHashes(append(indexes[:len(indexes):len(indexes)], leafIndex))
		if err != nil {
			return nil, err
		}
		leaf = hashes[len(hashes)-1]
		return hashes[:len(hashes)-1], nil
	})
	proof, err := tlog.ProveRecord(head.Size, n.Int64, withLeaf)
	if err != nil {
		return Inclusion{}, fmt.Errorf("seal: prove leaf %d: %w", n.Int64, err)
	}
	if leaf == (tlog.Hash{}) { // a tree of one leaf needs no other hash
		h, err := stored.ReadHashes([]int64{leafIndex})
		if err != nil {
			return Inclusion{}, err
		}
		leaf = h[0]
	}
	return Inclusion{Position: position, Leaf: n.Int64, LeafHash: leaf, Proof: proof, Head: head}, nil
}

// Extension proves that the latest signed head Head extends an older
// head over From events: tlog.CheckTree(Proof, Head.Size, Head.Root,
// From, oldRoot) holds for the old head's root, so nothing the old head
// covered has changed since.
type Extension struct {
	From  int64
	Proof tlog.TreeProof
	Head  Head
}

// Consistency returns the proof that the latest signed head extends the
// head over from events.
func Consistency(ctx context.Context, db *sqldb.DB, from int64) (Extension, error) {
	return consistency(ctx, db, nil, from)
}

// consistency is Consistency reading tiles through cache (nil: none).
func consistency(ctx context.Context, db *sqldb.DB, cache *tileCache, from int64) (Extension, error) {
	head, err := LatestHead(ctx, db)
	if err != nil {
		return Extension{}, err
	}
	if from < 1 || from > head.Size {
		return Extension{}, fmt.Errorf("a head over %d events (the latest covers %d): %w", from, head.Size, ErrNotSealed)
	}
	stored := newTileReader(ctx, db, false)
	stored.shared = cache
	proof, err := tlog.ProveTree(head.Size, from, stored)
	if err != nil {
		return Extension{}, fmt.Errorf("seal: prove %d extends %d: %w", head.Size, from, err)
	}
	return Extension{From: from, Proof: proof, Head: head}, nil
}
