package replies

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

func TestClaimCompleteReplay(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := New(db)
		account, now := uuid.New(), time.Now()
		fp := []byte("POST /v1/units {…}")

		if prior, err := s.Claim(ctx, account, "k1", fp, now); err != nil || prior != nil {
			t.Fatalf("first claim: %v %v", prior, err)
		}
		prior, err := s.Claim(ctx, account, "k1", fp, now)
		if err != nil || prior == nil || prior.Done {
			t.Fatalf("claim while running: %+v %v; want the running claim", prior, err)
		}
		if err := s.Complete(ctx, account, "k1", fp, Reply{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"x"}`)}, now); err != nil {
			t.Fatal(err)
		}
		prior, err = s.Claim(ctx, account, "k1", []byte("other"), now)
		if err != nil || prior == nil || !prior.Done || prior.Status != 201 || string(prior.Body) != `{"id":"x"}` || prior.Same([]byte("other")) || !prior.Same(fp) {
			t.Fatalf("after completion: %+v %v", prior, err)
		}
		// Keys are per account.
		if prior, err := s.Claim(ctx, uuid.New(), "k1", fp, now); err != nil || prior != nil {
			t.Fatalf("same key, other account: %v %v", prior, err)
		}
		// A released claim runs again; a stale one is taken over.
		if _, err := s.Claim(ctx, account, "k2", fp, now); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, account, "k2", fp); err != nil {
			t.Fatal(err)
		}
		if prior, err := s.Claim(ctx, account, "k2", fp, now); err != nil || prior != nil {
			t.Fatalf("after release: %v %v", prior, err)
		}
		if prior, err := s.Claim(ctx, account, "k2", fp, now.Add(s.Stale+time.Second)); err != nil || prior != nil {
			t.Fatalf("stale claim not taken over: %v %v", prior, err)
		}
	})
}

// Of many concurrent requests with one key, exactly one runs.
func TestConcurrentClaimsOneWinner(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := New(db)
		account, now := uuid.New(), time.Now()
		var winners atomic.Int32
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() {
				prior, err := s.Claim(t.Context(), account, "pay-once", []byte("fp"), now)
				if err != nil {
					t.Error(err)
					return
				}
				if prior == nil {
					winners.Add(1)
				}
			})
		}
		wg.Wait()
		if got := winners.Load(); got != 1 {
			t.Fatalf("%d requests claimed the key, want exactly 1", got)
		}
	})
}
