package seal_test

import (
	"slices"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/adapters/seal"
)

// An Auditor keeps the full upper tiles its proofs read. Its proofs
// check against each latest head while the tree grows past the tiles it
// cached (a partial tile is never kept: it widens as the tree grows),
// equal the proofs read straight from the store, and survive concurrent
// callers; and it does use what it kept: with the full upper tiles gone
// from the store, the warm Auditor still proves what the store alone cannot.
func TestAnAuditorsProofsFollowTheGrowingTree(t *testing.T) {
	t.Parallel()
	eachFixture(t, func(t *testing.T, f *fixture) {
		auditor, err := seal.NewAuditor(f.env.DB, f.env.Store, f.public)
		if err != nil {
			t.Fatal(err)
		}
		before := f.seal(t)
		for range 3 { // 40, 340, 640, 940 events: level-1 tiles fill as it goes
			f.append(t, 300)
			head := f.seal(t)
			picks := []int64{f.pos[0], f.pos[len(f.pos)/3], f.pos[len(f.pos)/2], f.pos[len(f.pos)-1]}
			var wg sync.WaitGroup
			for _, pos := range picks {
				for range 2 {
					wg.Go(func() { f.checkProof(t, auditor, pos) })
				}
				in, err := seal.Prove(t.Context(), f.env.DB, pos)
				if err != nil {
					t.Fatal(err)
				}
				cached, err := auditor.Prove(t.Context(), pos)
				if err != nil || !slices.Equal(cached.Proof, in.Proof) || cached.LeafHash != in.LeafHash {
					t.Fatalf("position %d: the Auditor's proof differs from the store's (%v)", pos, err)
				}
			}
			wg.Wait()
			ext, err := auditor.Consistency(t.Context(), before.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(ext.Proof, head.Size, head.Root, before.Size, before.Root); err != nil {
				t.Fatalf("the head over %d does not extend the one over %d: %v", head.Size, before.Size, err)
			}
			before = head
		}

		f.exec(t, "DELETE FROM seal_tiles WHERE level > 0 AND width = 16")
		for _, pos := range []int64{f.pos[0], f.pos[len(f.pos)/3]} {
			f.checkProof(t, auditor, pos)
			if _, err := seal.Prove(t.Context(), f.env.DB, pos); err == nil {
				t.Fatalf("position %d proved from a store without its upper tiles", pos)
			}
		}
	})
}

// checkProof proves pos through auditor and checks the proof against the
// signed head it names.
func (f *fixture) checkProof(t *testing.T, auditor *seal.Auditor, pos int64) {
	t.Helper()
	in, err := auditor.Prove(t.Context(), pos)
	if err != nil {
		t.Errorf("prove position %d: %v", pos, err)
		return
	}
	head, err := seal.OpenHead(in.Head.Signed, f.verifier)
	if err != nil {
		t.Error(err)
		return
	}
	if err := tlog.CheckRecord(in.Proof, head.Size, head.Root, in.Leaf, in.LeafHash); err != nil {
		t.Errorf("position %d under a head of %d: %v", pos, head.Size, err)
	}
}
