package seal

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// A bundle is the audit log carried away: JSON lines, first a header with
// the latest signed head, then every event the head covers after From, in
// order, each with its leaf number and leaf hash, and, when From is not
// 0, its inclusion proof in the head. VerifyBundle checks it with the
// public key alone: from the whole log by recomputing the tree, from a
// part by the proofs.

const bundleTitle = "aidtrail audit bundle"

type bundleHeader struct {
	Bundle  string `json:"bundle"`
	Version int    `json:"version"`
	From    int64  `json:"from"` // the position the bundle's events follow
	Head    string `json:"head"` // the signed tree head they are checked against
	// Heads are every signed head up to Head, smallest first, in a bundle
	// of the whole log: a change hidden by a rewritten leaf hash shows in
	// the first head it breaks, which bounds where it is.
	Heads []string `json:"heads,omitempty"`
}

// bundleEvent is an event as a bundle carries it: every field the leaf
// covers, the payload as a string so that its bytes travel unchanged.
type bundleEvent struct {
	Position   int64          `json:"position"`
	ID         uuid.UUID      `json:"id"`
	Stream     string         `json:"stream"`
	Version    int64          `json:"version"`
	Type       string         `json:"type"`
	Data       string         `json:"data"`
	Metadata   event.Metadata `json:"metadata"`
	RecordedAt time.Time      `json:"recorded_at"`
}

type bundleLine struct {
	Event    bundleEvent `json:"event"`
	Leaf     int64       `json:"leaf"`
	LeafHash string      `json:"leaf_hash"`
	Proof    []string    `json:"proof,omitempty"`
}

func (b bundleEvent) recorded() event.Recorded {
	return event.Recorded{ID: b.ID, Stream: b.Stream, Version: b.Version, Position: b.Position, Type: b.Type,
		Data: json.RawMessage(b.Data), Metadata: b.Metadata, RecordedAt: b.RecordedAt}
}

// WriteBundle writes to w the events after position from that the latest
// signed head covers, checked against it, and returns how many.
func WriteBundle(ctx context.Context, db *sqldb.DB, log Log, w io.Writer, from int64) (int64, error) {
	head, err := LatestHead(ctx, db)
	if err != nil {
		return 0, err
	}
	header := bundleHeader{Bundle: bundleTitle, Version: 1, From: from, Head: string(head.Signed)}
	if from == 0 {
		heads, err := storedHeads(ctx, db)
		if err != nil {
			return 0, err
		}
		for _, sh := range heads {
			header.Heads = append(header.Heads, string(sh.signed))
		}
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(header); err != nil {
		return 0, err
	}
	n, err := leavesThrough(ctx, db, from)
	if err != nil {
		return 0, err
	}
	hashes := newTileReader(ctx, db, true) // the proofs share most of their hashes
	written := int64(0)
	for after := from; n < head.Size; {
		recs, err := log.ReadAll(ctx, after, readPage)
		if err != nil {
			return written, err
		}
		if len(recs) == 0 {
			return written, fmt.Errorf("seal: the log ends at position %d, before the head's %d events", after, head.Size)
		}
		for _, r := range recs {
			if n >= head.Size {
				break
			}
			leaf := event.LeafHash(r)
			line := bundleLine{Leaf: n, LeafHash: base64.StdEncoding.EncodeToString(leaf[:]), Event: bundleEvent{Position: r.Position,
				ID: r.ID, Stream: r.Stream, Version: r.Version, Type: r.Type, Data: string(r.Data), Metadata: r.Metadata, RecordedAt: r.RecordedAt}}
			if from > 0 {
				proof, err := tlog.ProveRecord(head.Size, n, hashes)
				if err != nil {
					return written, fmt.Errorf("seal: prove leaf %d: %w", n, err)
				}
				line.Proof = make([]string, len(proof))
				for i, h := range proof {
					line.Proof[i] = base64.StdEncoding.EncodeToString(h[:])
				}
			}
			if err := enc.Encode(line); err != nil {
				return written, err
			}
			n++
			written++
		}
		after = recs[len(recs)-1].Position
	}
	return written, bw.Flush()
}
