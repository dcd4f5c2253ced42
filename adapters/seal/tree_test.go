package seal

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memoryTree.add stores what tlog.StoredHashes stores, leaf after leaf.
func TestMemoryTreeStoresWhatTlogStores(t *testing.T) {
	t.Parallel()
	var want []tlog.Hash
	got := newMemoryTree(300)
	for n := range int64(300) {
		data := fmt.Appendf(nil, "leaf %d", n)
		hashes, err := tlog.StoredHashes(n, data, memoryTree(want))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, hashes...)
		got.add(n, tlog.RecordHash(data))
		if len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("after leaf %d: %d hashes, want %d", n, len(got), len(want))
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("stored hash %d differs", i)
		}
	}
}
