package seal

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
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
	n := int64(0)
	if from > 0 {
		if err := db.QueryRow(ctx, "SELECT count(*) FROM seal_leaves WHERE position <= $1", from).Scan(&n); err != nil {
			return 0, fmt.Errorf("seal: leaves up to %d: %w", from, err)
		}
	}
	hashes := dbHashes(ctx, db)
	written := int64(0)
	for after := from; n < head.Size; {
		recs, err := log.ReadAll(ctx, after, batchSize)
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

// VerifyBundle checks a bundle with the public key alone and reports as
// Verify does: the first position whose event differs from what the
// signed head covers.
func VerifyBundle(r io.Reader, verifier note.Verifier) (Report, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	var h bundleHeader
	if err := dec.Decode(&h); err != nil || h.Bundle != bundleTitle || h.Version != 1 {
		return Report{}, fmt.Errorf("seal: not an aidtrail audit bundle: %v", err)
	}
	var rep Report
	bad := func(position int64, format string, args ...any) (Report, error) {
		rep.OK, rep.FirstBadPosition, rep.Problem = false, position, fmt.Sprintf(format, args...)
		return rep, nil
	}
	head, err := OpenHead([]byte(h.Head), verifier)
	if err != nil {
		return bad(0, "the bundle's tree head does not verify under the public key: %v", err)
	}
	rep.Head, rep.SealedThrough = head, head.LastPosition
	tree := memoryTree{}
	var positions []int64 // of the leaves, in a bundle of the whole log
	var first, last int64 = -1, h.From
	lines := make(chan decodedLine, 256)
	done := make(chan struct{})
	defer close(done)
	go decodeLines(dec, lines, done) // decoding runs a line ahead of the checks
	for dl := range lines {
		if dl.err != nil {
			return bad(last+1, "the bundle cannot be read after position %d: %v", last, dl.err)
		}
		line := dl.line
		rec := line.Event.recorded()
		if rec.Position <= last {
			return bad(rec.Position, "position %d comes after %d", rec.Position, last)
		}
		if first < 0 {
			first = line.Leaf
		} else if line.Leaf != first+rep.Events {
			return bad(last+1, "leaf %d, the event after position %d, is missing (the next is at %d)", first+rep.Events, last, rec.Position)
		}
		leaf := tlog.Hash(event.LeafHash(rec))
		if base64.StdEncoding.EncodeToString(leaf[:]) != line.LeafHash {
			return bad(rec.Position, "the event at position %d is not the one sealed as leaf %d", rec.Position, line.Leaf)
		}
		if h.From == 0 {
			if _, err := tree.add(line.Leaf, event.LeafBytes(rec)); err != nil {
				return Report{}, err
			}
			positions = append(positions, rec.Position)
		} else {
			proof := make(tlog.RecordProof, len(line.Proof))
			for i, p := range line.Proof {
				b, err := base64.StdEncoding.DecodeString(p)
				if err != nil || len(b) != tlog.HashSize {
					return bad(rec.Position, "the proof of position %d is malformed", rec.Position)
				}
				copy(proof[i][:], b)
			}
			if err := tlog.CheckRecord(proof, head.Size, head.Root, line.Leaf, leaf); err != nil {
				return bad(rec.Position, "the event at position %d is not in the signed head: %v", rec.Position, err)
			}
		}
		rep.Events++
		last = rec.Position
	}
	if h.From == 0 {
		if rep.Events != head.Size {
			return bad(last+1, "the bundle holds %d events; its head covers %d", rep.Events, head.Size)
		}
		prev := int64(0)
		for _, signed := range append(h.Heads, h.Head) {
			hd, err := OpenHead([]byte(signed), verifier)
			if err != nil {
				return bad(0, "a tree head of the bundle does not verify under the public key: %v", err)
			}
			if hd.Size > head.Size {
				return bad(0, "a tree head of the bundle covers %d events, more than its latest", hd.Size)
			}
			root, err := tlog.TreeHash(hd.Size, tree)
			if err != nil {
				return Report{}, err
			}
			if root != hd.Root {
				from := min(prev, hd.Size-1)
				return bad(positions[from], "the events at positions %d to %d do not hash to the signed head over %d events",
					positions[from], positions[hd.Size-1], hd.Size)
			}
			prev = max(prev, hd.Size)
		}
	} else if first >= 0 && first+rep.Events != head.Size {
		return bad(last+1, "the bundle stops at leaf %d; its head covers %d", first+rep.Events, head.Size)
	}
	rep.OK = true
	return rep, nil
}

type decodedLine struct {
	line bundleLine
	err  error
}

// decodeLines sends the bundle's lines until its end (closing lines), an
// error (sent last) or done.
func decodeLines(dec *json.Decoder, lines chan<- decodedLine, done <-chan struct{}) {
	defer close(lines)
	for {
		var l decodedLine
		err := dec.Decode(&l.line)
		if errors.Is(err, io.EOF) {
			return
		}
		l.err = err
		select {
		case lines <- l:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}
