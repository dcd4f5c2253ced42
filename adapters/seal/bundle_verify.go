package seal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyBundle checks a bundle with the public key alone and reports as
// Verify does: the first position whose event differs from what the
// signed head covers. Each line is decoded and hashed, and its proof
// checked, on every core at once (checkLines); what depends on the lines
// before it — their order, the tree of a whole log — is checked here,
// line after line.
func VerifyBundle(r io.Reader, verifier note.Verifier) (Report, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := br.ReadBytes('\n')
	if errors.Is(err, io.EOF) && len(first) > 0 {
		err = nil
	}
	var h bundleHeader
	if err == nil {
		err = json.Unmarshal(first, &h)
	}
	if err != nil || h.Bundle != bundleTitle || h.Version != 1 {
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
	whole := h.From == 0
	var tree memoryTree
	var positions []int64 // of the leaves, in a bundle of the whole log
	if whole {
		tree = newMemoryTree(head.Size)
		positions = make([]int64, 0, cap(tree)/2)
	}
	var firstLeaf, last int64 = -1, h.From
	stop := make(chan struct{})
	defer close(stop)
	for b := range checkLines(br, h.From, head, stop) {
		<-b.done
		for _, c := range b.checks {
			if c.err != nil {
				return bad(last+1, "the bundle cannot be read after position %d: %v", last, c.err)
			}
			if c.position <= last {
				return bad(c.position, "position %d comes after %d", c.position, last)
			}
			if firstLeaf < 0 {
				firstLeaf = c.leaf
			} else if c.leaf != firstLeaf+rep.Events {
				return bad(last+1, "leaf %d, the event after position %d, is missing (the next is at %d)", firstLeaf+rep.Events, last, c.position)
			}
			if !c.hashOK {
				return bad(c.position, "the event at position %d is not the one sealed as leaf %d", c.position, c.leaf)
			}
			switch {
			case whole && c.leaf != int64(len(positions)):
				return bad(c.position, "the bundle of the whole log starts at leaf %d, not 0", firstLeaf)
			case whole:
				tree.add(c.leaf, c.hash)
				positions = append(positions, c.position)
			case c.proofMalformed:
				return bad(c.position, "the proof of position %d is malformed", c.position)
			case c.proofErr != nil:
				return bad(c.position, "the event at position %d is not in the signed head: %v", c.position, c.proofErr)
			}
			rep.Events++
			last = c.position
		}
		if b.readErr != nil {
			return bad(last+1, "the bundle cannot be read after position %d: %v", last, b.readErr)
		}
	}
	if whole {
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
	} else if firstLeaf >= 0 && firstLeaf+rep.Events != head.Size {
		return bad(last+1, "the bundle stops at leaf %d; its head covers %d", firstLeaf+rep.Events, head.Size)
	}
	rep.OK = true
	return rep, nil
}
