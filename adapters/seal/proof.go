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
	head, err := LatestHead(ctx, db)
	if err != nil {
		return Inclusion{}, err
	}
	var n int64
	err = db.QueryRow(ctx, "SELECT n FROM seal_leaves WHERE position = $1", position).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) || err == nil && n >= head.Size {
		return Inclusion{}, fmt.Errorf("position %d: %w", position, ErrNotSealed)
	}
	if err != nil {
		return Inclusion{}, fmt.Errorf("seal: find the leaf of position %d: %w", position, err)
	}
	hashes := dbHashes(ctx, db)
	proof, err := tlog.ProveRecord(head.Size, n, hashes)
	if err != nil {
		return Inclusion{}, fmt.Errorf("seal: prove leaf %d: %w", n, err)
	}
	leaf, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, n)})
	if err != nil {
		return Inclusion{}, err
	}
	return Inclusion{Position: position, Leaf: n, LeafHash: leaf[0], Proof: proof, Head: head}, nil
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
	proof, err := tlog.ProveTree(head.Size, from, dbHashes(ctx, db))
	if err != nil {
		return Extension{}, fmt.Errorf("seal: prove %d extends %d: %w", head.Size, from, err)
	}
	return Extension{From: from, Proof: proof, Head: head}, nil
}
