package access

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/internal/aggtest"
)

// commit turns an account's changes into the stream it would be appended
// to, after checking that replaying that stream rebuilds exactly the state
// the behaviour methods left (the round trip), and returns the account
// loaded afresh.
func commit(t *testing.T, history []event.Recorded, a *Account) ([]event.Recorded, *Account) {
	t.Helper()
	load := func(h []event.Recorded) (*Account, error) { return LoadAccount(a.ID(), h) }
	return aggtest.Commit(t, history, a, load, func(a *Account) any { return a.s })
}

// units is a fixture tree of UnitRefs:
//
//	root
//	├── st1
//	│   └── ws1
//	│       └── tm1
//	└── st2
type units map[string]UnitRef

func newUnits() units {
	root, st1, ws1, tm1, st2 := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	return units{
		"root": {ID: root, Path: []uuid.UUID{}},
		"st1":  {ID: st1, Path: []uuid.UUID{root}},
		"ws1":  {ID: ws1, Path: []uuid.UUID{root, st1}},
		"tm1":  {ID: tm1, Path: []uuid.UUID{root, st1, ws1}},
		"st2":  {ID: st2, Path: []uuid.UUID{root}},
	}
}

// opened returns a committed account with the given positions assigned, as
// (unit, roles) pairs, with their ids.
func opened(t *testing.T, u units, positions ...position) (*Account, []event.Recorded, []uuid.UUID) {
	t.Helper()
	a, err := OpenAccount(uuid.New(), "wang.li", "Wang Li", nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	for _, p := range positions {
		id := uuid.New()
		if err := a.AssignPosition(id, u[p.unit], "officer", p.roles); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	history, a := commit(t, nil, a)
	return a, history, ids
}

type position struct {
	unit  string
	roles []Role
}
