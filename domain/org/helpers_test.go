package org

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/internal/aggtest"
)

// now is the fixed moment of every test command.
var now = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)

type aggregate interface {
	Stream() string
	Version() int64
	Changes() []event.Event
}

// memStore plays the event store and the command layer: commit appends an
// aggregate's changes at its expected version, after checking that
// replaying the stream rebuilds exactly the state the behaviour methods
// left (the round trip); unit and employee load fresh aggregates.
type memStore struct {
	t        *testing.T
	streams  map[string][]event.Recorded
	position int64
}

func newStore(t *testing.T) *memStore {
	return &memStore{t: t, streams: map[string][]event.Recorded{}}
}

func (m *memStore) commit(aggs ...aggregate) {
	m.t.Helper()
	for _, a := range aggs {
		hist := m.streams[a.Stream()]
		if int64(len(hist)) != a.Version() {
			m.t.Fatalf("%s: expected version %d, stream at %d", a.Stream(), a.Version(), len(hist))
		}
		for _, e := range a.Changes() {
			m.position++
			hist = append(hist, event.Recorded{ID: e.ID, Stream: a.Stream(), Version: int64(len(hist) + 1),
				Position: m.position, Type: e.Type, Data: e.Data, Metadata: e.Metadata, RecordedAt: now})
		}
		m.checkRoundTrip(a, hist)
		m.streams[a.Stream()] = hist
	}
}

func (m *memStore) checkRoundTrip(a aggregate, hist []event.Recorded) {
	m.t.Helper()
	switch a := a.(type) {
	case *Unit:
		got, err := LoadUnit(a.id, hist)
		if err != nil {
			m.t.Fatalf("reload %s: %v", a.Stream(), err)
		}
		aggtest.SameState(m.t, got.s, a.s)
	case *Employee:
		got, err := LoadEmployee(a.id, hist)
		if err != nil {
			m.t.Fatalf("reload %s: %v", a.Stream(), err)
		}
		aggtest.SameState(m.t, got.s, a.s)
	default:
		m.t.Fatalf("unknown aggregate %T", a)
	}
}

func (m *memStore) unit(id uuid.UUID) *Unit {
	m.t.Helper()
	u, err := LoadUnit(id, m.streams[UnitStream(id)])
	if err != nil {
		m.t.Fatalf("load unit: %v", err)
	}
	return u
}

func (m *memStore) employee(id uuid.UUID) *Employee {
	m.t.Helper()
	e, err := LoadEmployee(id, m.streams[EmployeeStream(id)])
	if err != nil {
		m.t.Fatalf("load employee: %v", err)
	}
	return e
}

// tree is the fixture organisation, committed to its store:
//
//	root (bureau)
//	├── st1 (station)
//	│   ├── ws1 (workshop)
//	│   │   └── tm1 (team)
//	│   └── tm2 (team, straight under a station)
//	└── st2 (station)
//	    └── ws2 (workshop)
type tree struct {
	*memStore
	id map[string]uuid.UUID
}

func newTree(t *testing.T) *tree {
	t.Helper()
	tr := &tree{memStore: newStore(t), id: map[string]uuid.UUID{}}
	for _, n := range []struct {
		name, parent string
		level        Level
	}{
		{"root", "", LevelBureau},
		{"st1", "root", LevelStation},
		{"ws1", "st1", LevelWorkshop},
		{"tm1", "ws1", LevelTeam},
		{"tm2", "st1", LevelTeam},
		{"st2", "root", LevelStation},
		{"ws2", "st2", LevelWorkshop},
	} {
		var parent *Unit
		if n.parent != "" {
			parent = tr.u(n.parent)
		}
		u, err := Establish(uuid.New(), "unit "+n.name, n.name, n.level, parent)
		if err != nil {
			t.Fatalf("establish %s: %v", n.name, err)
		}
		tr.id[n.name] = u.ID()
		tr.commit(u)
		if parent != nil {
			tr.commit(parent)
		}
	}
	return tr
}

// u loads the named unit afresh.
func (tr *tree) u(name string) *Unit {
	tr.t.Helper()
	id, ok := tr.id[name]
	if !ok {
		tr.t.Fatalf("no unit %q in the fixture", name)
	}
	return tr.unit(id)
}

// register registers an employee at the named unit and commits.
func (tr *tree) register(name string) uuid.UUID {
	tr.t.Helper()
	unit := tr.u(name)
	e, err := Register(uuid.New(), unit, validPersonal(), now)
	if err != nil {
		tr.t.Fatalf("register: %v", err)
	}
	tr.commit(e, unit)
	return e.ID()
}

func validPersonal() Personal {
	return Personal{
		Name: "sealed:name", IDNumber: "sealed:id", Phone: "sealed:phone", BankAccount: "sealed:bank",
		Family: []FamilyMember{
			{Relation: RelationSpouse, Name: "sealed:spouse", BirthDate: "1980-02-29"},
			{Relation: RelationChild, Name: "sealed:child", BirthDate: "2007-09-01"},
		},
	}
}
