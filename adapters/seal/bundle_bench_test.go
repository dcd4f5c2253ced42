package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/domain/event"
)

// syntheticBundle returns a bundle of the whole log of n events shaped
// like a case's, signed by a new key, and that key's verifier.
func syntheticBundle(tb testing.TB, n int) ([]byte, note.Verifier) {
	tb.Helper()
	private, public, err := NewKey()
	if err != nil {
		tb.Fatal(err)
	}
	signer, _, err := ParseKey(private)
	if err != nil {
		tb.Fatal(err)
	}
	verifier, err := note.NewVerifier(public)
	if err != nil {
		tb.Fatal(err)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	tree := newMemoryTree(int64(n))
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		data, _ := json.Marshal(map[string]any{"case_id": uuid.NewString(), "requested_fen": 4_000_000 + i,
			"description": "住院治疗，附发票与出院小结。", "causes": []string{"serious_illness"}})
		r := event.Recorded{ID: uuid.New(), Stream: "case-" + uuid.NewString(), Version: 1, Position: int64(i + 1), Type: "case.submitted",
			Data: data, RecordedAt: at.Add(time.Duration(i) * time.Millisecond),
			Metadata: event.Metadata{ActorAccountID: uuid.NewString(), ActorName: "王芳", ActorPositionID: uuid.NewString(),
				ActorUnitID: uuid.NewString(), CommandID: uuid.NewString(), CorrelationID: uuid.NewString(), OccurredAt: at, SchemaVersion: 1}}
		leaf := tlog.RecordHash(event.LeafBytes(r))
		tree.add(int64(i), leaf)
		err := enc.Encode(bundleLine{Leaf: int64(i), LeafHash: base64.StdEncoding.EncodeToString(leaf[:]), Event: bundleEvent{
			Position: r.Position, ID: r.ID, Stream: r.Stream, Version: r.Version, Type: r.Type, Data: string(r.Data),
			Metadata: r.Metadata, RecordedAt: r.RecordedAt}})
		if err != nil {
			tb.Fatal(err)
		}
	}
	root, err := tlog.TreeHash(int64(n), tree)
	if err != nil {
		tb.Fatal(err)
	}
	head, err := sign(Head{Size: int64(n), Root: root, LastPosition: int64(n)}, signer)
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.NewEncoder(&out).Encode(bundleHeader{Bundle: bundleTitle, Version: 1, Head: string(head.Signed)}); err != nil {
		tb.Fatal(err)
	}
	out.Write(body.Bytes())
	return out.Bytes(), verifier
}

func BenchmarkVerifyBundle(b *testing.B) {
	const n = 20_000
	bundle, verifier := syntheticBundle(b, n)
	b.SetBytes(int64(len(bundle)))
	b.ResetTimer()
	for b.Loop() {
		r, err := VerifyBundle(bytes.NewReader(bundle), verifier)
		if err != nil || !r.OK || r.Events != n {
			b.Fatalf("%+v, %v", r, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
