package seal

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"runtime"

	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/domain/event"
)

// lineCheck is what one line of a bundle says and what checking it alone
// found; what depends on other lines is left to VerifyBundle.
type lineCheck struct {
	err      error // the line is not a bundle line
	position int64
	leaf     int64     // the leaf number the line gives
	hash     tlog.Hash // the leaf hash recomputed from the line's event
	hashOK   bool      // the line's leaf hash is hash
	// In a bundle from a position on: the line's inclusion proof is not
	// one, or does not lead from hash to the head.
	proofMalformed bool
	proofErr       error
}

// lineBatch is a run of a bundle's lines, checked by one worker; done is
// closed when checks holds a check per line. readErr is why the bundle
// could not be read past them.
type lineBatch struct {
	lines   [][]byte
	readErr error
	checks  []lineCheck
	done    chan struct{}
}

// chunkSize is about how many bytes of a bundle one batch holds.
const chunkSize = 256 << 10

// checkLines reads the bundle's lines from r and checks each on its own
// (checkLine) on as many workers as there are cores. The batches come out
// in the bundle's order, each to be read once its done is closed; the
// channel closes after the last, or once stop is closed.
func checkLines(r io.Reader, from int64, head Head, stop <-chan struct{}) <-chan *lineBatch {
	workers := runtime.GOMAXPROCS(0)
	ordered := make(chan *lineBatch, 2*workers)
	work := make(chan *lineBatch, 2*workers)
	go func() {
		defer close(ordered)
		defer close(work)
		for b := range readBatches(r) {
			select {
			case ordered <- b:
			case <-stop:
				return
			}
			select {
			case work <- b:
			case <-stop:
				return
			}
		}
	}()
	for range workers {
		go func() {
			var s lineScanner
			for b := range work {
				b.checks = make([]lineCheck, len(b.lines))
				for i, l := range b.lines {
					b.checks[i] = checkLine(&s, l, from, head)
				}
				close(b.done)
			}
		}()
	}
	return ordered
}

// readBatches cuts r into batches of whole lines, skipping blank ones. A
// read error other than the end of r comes with the last batch.
func readBatches(r io.Reader) func(yield func(*lineBatch) bool) {
	return func(yield func(*lineBatch) bool) {
		var carry []byte // the start of a line the last chunk cut
		for {
			buf := make([]byte, len(carry), max(chunkSize, 2*len(carry)))
			copy(buf, carry)
			n, err := io.ReadFull(r, buf[len(carry):cap(buf)])
			buf = buf[:len(carry)+n]
			end := len(buf)
			switch {
			case err == nil: // more follows: keep the line the chunk cuts
				if end = bytes.LastIndexByte(buf, '\n') + 1; end == 0 {
					carry = buf // a line longer than the chunk
					continue
				}
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				err = io.EOF
			}
			carry = buf[end:]
			b := &lineBatch{done: make(chan struct{})}
			for line := range bytes.SplitSeq(buf[:end], []byte{'\n'}) {
				if len(bytes.TrimSpace(line)) > 0 {
					b.lines = append(b.lines, line)
				}
			}
			if err != io.EOF {
				b.readErr = err
			}
			if (len(b.lines) > 0 || b.readErr != nil) && !yield(b) {
				return
			}
			if err != nil {
				return
			}
		}
	}
}

// checkLine decodes one line of a bundle with s and checks what it can alone:
// its leaf hash, and in a bundle from a position on its proof in head.
func checkLine(s *lineScanner, raw []byte, from int64, head Head) lineCheck {
	var line bundleLine
	if err := s.decodeLine(raw, &line); err != nil {
		return lineCheck{err: err}
	}
	rec := line.Event.recorded()
	c := lineCheck{position: rec.Position, leaf: line.Leaf, hash: tlog.RecordHash(event.LeafBytes(rec))}
	var encoded [44]byte // base64 of a hash
	base64.StdEncoding.Encode(encoded[:], c.hash[:])
	c.hashOK = string(encoded[:]) == line.LeafHash
	if from == 0 || !c.hashOK {
		return c
	}
	proof := make(tlog.RecordProof, len(line.Proof))
	for i, p := range line.Proof {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(b) != tlog.HashSize {
			c.proofMalformed = true
			return c
		}
		copy(proof[i][:], b)
	}
	c.proofErr = tlog.CheckRecord(proof, head.Size, head.Root, line.Leaf, c.hash)
	return c
}
