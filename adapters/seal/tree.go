package seal

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// memoryTree holds a whole tree's stored hashes, index by index, as
// tlog numbers them: what Verify and VerifyBundle recompute from the
// events.
type memoryTree []tlog.Hash

// newMemoryTree returns an empty tree with room for leaves leaves.
func newMemoryTree(leaves int64) memoryTree {
	const most = 1 << 22 // hashes (128 MiB): a size read from a bundle reserves no more up front
	return make(memoryTree, 0, min(tlog.StoredHashCount(max(leaves, 0)), most))
}

// add appends leaf n, whose record hash is leaf, and the hashes of the
// subtrees it completes, as tlog.StoredHashesForRecordHash computes them
// but without allocating. Leaves are added in order: n is len(leaves so
// far).
func (t *memoryTree) add(n int64, leaf tlog.Hash) {
	*t = append(*t, leaf)
	h := leaf
	// Each trailing 1 bit of n completes a subtree, whose left half is the
	// subtree stored just before at that level.
	for level := 0; n>>level&1 == 1; level++ {
		h = tlog.NodeHash((*t)[tlog.StoredHashIndex(level, n>>level-1)], h)
		*t = append(*t, h)
	}
}

// ReadHashes reads stored hashes by index.
func (t memoryTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t)) {
			return nil, fmt.Errorf("seal: hash %d is beyond the tree", x)
		}
		out[i] = t[x]
	}
	return out, nil
}
