package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testCommitRequirementRace holds the store to the invariant "a vacated
// position's rights end with the vacate event". In each round an approval
// (a transaction appending to a fresh case stream and requiring the
// approver's account at version v) races a vacate (an append to the account
// with Exact(v)). The vacate always succeeds. The approval either commits
// before it, at a lower position, or is refused with ErrConcurrency naming
// the account and leaves no case stream; it never commits after the vacate.
func testCommitRequirementRace(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, 3*time.Minute)
	const rounds = 100
	before, refused := 0, 0
	for round := range rounds {
		account, caseStream := NewStream("account"), NewStream("case")
		held := mustAppend(ctx, t, s, account, event.NoStream, NewEvents(1+round%3, "position.assigned")...)
		approve := event.Transaction{
			Appends: []event.StreamAppend{{Stream: caseStream, Expected: event.NoStream, Events: NewEvents(1, "case.approved")}},
			Require: []event.Requirement{{Stream: account, Version: held.Version}},
		}
		vacate := NewEvents(1, "position.vacated")

		var approved []event.Appended
		var vacated event.Appended
		var errApprove, errVacate error
		together(t, 2, "an approval racing a vacate", func(i int) {
			if i == 0 {
				approved, errApprove = s.Commit(ctx, approve)
			} else {
				vacated, errVacate = s.Append(ctx, account, event.Exact(held.Version), vacate...)
			}
		})

		if errVacate != nil {
			t.Fatalf("round %d: the vacate failed: %v; nothing else writes to %q", round, errVacate, account)
		}
		checkStream(t, mustReadStream(ctx, t, s, account, held.Version+1), account, held.Version+1, vacate)
		if errApprove == nil {
			if len(approved) != 1 {
				t.Fatalf("round %d: Commit returned %d results for one append", round, len(approved))
			}
			if approved[0].Position >= vacated.Position {
				t.Fatalf("round %d: the approval committed at position %d, after the vacate at %d: rights outlived the vacate",
					round, approved[0].Position, vacated.Position)
			}
			recs := mustReadStream(ctx, t, s, caseStream, 0)
			checkStream(t, recs, caseStream, 1, approve.Appends[0].Events)
			if recs[0].Position != approved[0].Position {
				t.Fatalf("round %d: approval reported at position %d, stored at %d", round, approved[0].Position, recs[0].Position)
			}
			before++
			continue
		}
		var ce *event.ConcurrencyError
		if !errors.Is(errApprove, event.ErrConcurrency) || !errors.As(errApprove, &ce) || ce.Stream != account {
			t.Fatalf("round %d: the approval failed with %v, want a *ConcurrencyError naming %q", round, errApprove, account)
		}
		if _, err := s.ReadStream(ctx, caseStream, 0); !errors.Is(err, event.ErrNotFound) {
			t.Fatalf("round %d: the refused approval's case stream: ReadStream %v, want ErrNotFound", round, err)
		}
		refused++
	}
	t.Logf("%d rounds: the approval committed before the vacate in %d, was refused in %d", rounds, before, refused)
}

// testCommitNoDeadlock: many writers committing transactions over
// overlapping sets of streams, in every order, with requirements on other
// shared streams, beside plain appends to the same streams, all finish.
// Appends with Any are never refused; a requirement may be (and then names
// a required stream). Every stream's versions run 1, 2, 3, ... without
// gaps, each transaction is stored whole or not at all, and no event is
// stored twice.
func testCommitNoDeadlock(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, 3*time.Minute)
	shared := make([]string, 5)
	for i := range shared {
		shared[i] = NewStream("shared")
	}
	const committers, appenders, each = 20, 5, 20
	type outcome struct {
		tx  event.Transaction
		res []event.Appended
		err error
	}
	versions := &knownVersions{seen: map[string]int64{}}
	outcomes := make([][]outcome, committers)
	plain := make([][]attempt, appenders)
	commitMany := func(w int) {
		for range each {
			order := rand.Perm(len(shared))
			n := 2 + rand.IntN(2)
			tx := event.Transaction{}
			for _, i := range order[:n] {
				tx.Appends = append(tx.Appends, event.StreamAppend{Stream: shared[i], Expected: event.Any, Events: NewEvents(1+rand.IntN(2), "tx.tested")})
			}
			if rand.IntN(2) == 0 {
				required := shared[order[n]]
				v, err := versions.read(ctx, s, required)
				if err != nil {
					outcomes[w] = append(outcomes[w], outcome{tx: tx, err: err})
					return
				}
				tx.Require = []event.Requirement{{Stream: required, Version: v}}
			}
			res, err := s.Commit(ctx, tx)
			outcomes[w] = append(outcomes[w], outcome{tx, res, err})
			if err == nil {
				for i, a := range tx.Appends {
					versions.saw(a.Stream, res[i].Version)
				}
			}
		}
	}
	appendMany := func(w int) {
		for range each {
			a := attempt{stream: shared[rand.IntN(len(shared))], events: NewEvents(1, "tx.plain")}
			a.res, a.err = s.Append(ctx, a.stream, event.Any, a.events...)
			plain[w] = append(plain[w], a)
		}
	}
	together(t, committers+appenders, "transactions and appends over shared streams", func(w int) {
		if w < committers {
			commitMany(w)
		} else {
			appendMany(w - committers)
		}
	})

	stored := map[uuid.UUID]int{}
	for _, stream := range shared {
		for _, r := range streamOrNil(ctx, t, s, stream) {
			if stored[r.ID]++; stored[r.ID] == 2 {
				t.Errorf("event %s is stored twice", r.ID)
			}
		}
	}
	var parts []attempt // every append, of a transaction or not, for checkAttempts
	committed, conflicts := 0, 0
	for _, o := range slices.Concat(outcomes...) {
		var ce *event.ConcurrencyError
		switch {
		case o.err == nil && len(o.res) != len(o.tx.Appends):
			t.Fatalf("Commit(%s) returned %d results", describeTx(o.tx), len(o.res))
		case o.err == nil:
			committed++
			for i, a := range o.tx.Appends {
				parts = append(parts, attempt{stream: a.Stream, events: a.Events, res: o.res[i]})
				if i > 0 && o.res[i].Position <= o.res[i-1].Position {
					t.Errorf("Commit(%s): results %+v; positions must rise in append order", describeTx(o.tx), o.res)
				}
			}
		case errors.As(o.err, &ce) && len(o.tx.Require) > 0 && ce.Stream == o.tx.Require[0].Stream:
			conflicts++
			if slices.ContainsFunc(txEvents(o.tx), func(e event.Event) bool { return stored[e.ID] > 0 }) {
				t.Errorf("Commit(%s) was refused (%v), but some of its events are stored", describeTx(o.tx), o.err)
			}
		default:
			t.Errorf("Commit(%s): %v; appends with Any are never refused, only a stale requirement may be", describeTx(o.tx), o.err)
		}
	}
	for _, a := range slices.Concat(plain...) {
		if a.err != nil {
			t.Errorf("Append(%q, any): %v", a.stream, a.err)
		}
		parts = append(parts, a)
	}
	checkAttempts(ctx, t, s, parts)
	t.Logf("%d transactions committed, %d refused by a stale requirement, %d plain appends", committed, conflicts, appenders*each)
}

// knownVersions remembers the highest version seen of each stream, so that
// a writer learns a stream's current version by reading only its tail.
type knownVersions struct {
	mu   sync.Mutex
	seen map[string]int64
}

func (k *knownVersions) saw(stream string, v int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen[stream] = max(k.seen[stream], v)
}

// read returns stream's version as it is now (0 when it has no events).
func (k *knownVersions) read(ctx context.Context, s commands.EventStore, stream string) (int64, error) {
	k.mu.Lock()
	from := k.seen[stream]
	k.mu.Unlock()
	recs, err := s.ReadStream(ctx, stream, from+1)
	switch {
	case errors.Is(err, event.ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	case len(recs) == 0:
		return from, nil
	}
	v := recs[len(recs)-1].Version
	k.saw(stream, v)
	return v, nil
}
