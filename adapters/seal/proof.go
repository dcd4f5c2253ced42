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
// latest signed head.
func Prove(ctx context.Context, db *sqldb.DB, position int64) (Inclusion, error) {
	// The leaf and the latest head in one statement, the proof and the
	// leaf's hash in another: a proof is asked for one at a time, often.
	var n sql.NullInt64
	var signed sql.NullString
	err := db.QueryRow(ctx, `SELECT (SELECT CASE WHEN position + leaves > $1 THEN leaf + ($1 - position) END
			FROM seal_runs WHERE position <= $1 ORDER BY position DESC LIMIT 1),
		(SELECT signed FROM seal_heads ORDER BY size DESC LIMIT 1)`, position).Scan(&n, &signed)
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
	stored := newTileReader(ctx, db, false)
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
	head, err := LatestHead(ctx, db)
	if err != nil {
		return Extension{}, err
	}
	if from < 1 || from > head.Size {
		return Extension{}, fmt.Errorf("a head over %d events (the latest covers %d): %w", from, head.Size, ErrNotSealed)
	}
	proof, err := tlog.ProveTree(head.Size, from, newTileReader(ctx, db, false))
	if err != nil {
		return Extension{}, fmt.Errorf("seal: prove %d extends %d: %w", head.Size, from, err)
	}
	return Extension{From: from, Proof: proof, Head: head}, nil
}
