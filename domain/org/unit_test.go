package org

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestEstablish(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	long := strings.Repeat("工", MaxNameRunes)
	tests := []struct {
		name   string
		id     uuid.UUID
		uname  string
		code   string
		level  Level
		parent string // fixture unit, "" for none, "closed" for a closed unit
		want   error
		field  string
	}{
		{"root bureau", uuid.New(), "Railway bureau", "RB", LevelBureau, "", nil, ""},
		{"station under bureau", uuid.New(), "Station", "ST-9", LevelStation, "root", nil, ""},
		{"workshop under station", uuid.New(), "Workshop", "ws_1", LevelWorkshop, "st1", nil, ""},
		{"team under workshop", uuid.New(), "Team", "T1", LevelTeam, "ws1", nil, ""},
		{"team under station skips a level", uuid.New(), "Team", "T2", LevelTeam, "st1", nil, ""},
		{"workshop under bureau skips a level", uuid.New(), "Workshop", "W", LevelWorkshop, "root", nil, ""},
		{"name of 100 runes", uuid.New(), long, "N100", LevelStation, "root", nil, ""},
		{"name trimmed to fit", uuid.New(), "  " + long + "\t", "N100T", LevelStation, "root", nil, ""},
		{"code of 32", uuid.New(), "Station", strings.Repeat("a", 32), LevelStation, "root", nil, ""},
		{"root station", uuid.New(), "Station", "S", LevelStation, "", fault.ErrInvalid, "parent_id"},
		{"root team", uuid.New(), "Team", "T", LevelTeam, "", fault.ErrInvalid, "parent_id"},
		{"bureau under bureau", uuid.New(), "Bureau", "B", LevelBureau, "root", fault.ErrInvalid, "level"},
		{"station under station", uuid.New(), "Station", "S", LevelStation, "st1", fault.ErrInvalid, "level"},
		{"station under workshop", uuid.New(), "Station", "S", LevelStation, "ws1", fault.ErrInvalid, "level"},
		{"team under team", uuid.New(), "Team", "T", LevelTeam, "tm1", fault.ErrInvalid, "level"},
		{"workshop under team", uuid.New(), "Workshop", "W", LevelWorkshop, "tm2", fault.ErrInvalid, "level"},
		{"unknown level", uuid.New(), "Group", "G", "group", "root", fault.ErrInvalid, "level"},
		{"nil id", uuid.Nil, "Station", "S", LevelStation, "root", fault.ErrInvalid, "id"},
		{"empty name", uuid.New(), "", "S", LevelStation, "root", fault.ErrInvalid, "name"},
		{"blank name", uuid.New(), " \t ", "S", LevelStation, "root", fault.ErrInvalid, "name"},
		{"name of 101 runes", uuid.New(), long + "x", "S", LevelStation, "root", fault.ErrInvalid, "name"},
		{"control character in name", uuid.New(), "a\x00b", "S", LevelStation, "root", fault.ErrInvalid, "name"},
		{"invalid UTF-8 name", uuid.New(), "a\xffb", "S", LevelStation, "root", fault.ErrInvalid, "name"},
		{"empty code", uuid.New(), "Station", "", LevelStation, "root", fault.ErrInvalid, "code"},
		{"code of 33", uuid.New(), "Station", strings.Repeat("a", 33), LevelStation, "root", fault.ErrInvalid, "code"},
		{"code with space", uuid.New(), "Station", "S 1", LevelStation, "root", fault.ErrInvalid, "code"},
		{"code with dot", uuid.New(), "Station", "S.1", LevelStation, "root", fault.ErrInvalid, "code"},
		{"code not ASCII", uuid.New(), "Station", "站", LevelStation, "root", fault.ErrInvalid, "code"},
		{"closed parent", uuid.New(), "Team", "T", LevelTeam, "closed", ErrUnitClosed, ""},
		{"parent is the unit itself", tr.id["st1"], "Team", "T", LevelTeam, "st1", fault.ErrInvalid, "parent_id"},
	}
	closed := tr.u("tm2")
	if err := closed.Close("merged"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parent *Unit
			switch tt.parent {
			case "":
			case "closed":
				parent = closed
			default:
				parent = tr.u(tt.parent)
			}
			u, err := Establish(tt.id, tt.uname, tt.code, tt.level, parent)
			aggtest.WantErr(t, err, tt.want)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
			}
			if err != nil {
				if u != nil {
					t.Fatal("aggregate returned with an error")
				}
				if parent != nil && parent != closed && len(parent.Changes()) != 0 {
					t.Fatalf("parent recorded %v on failure", aggtest.Types(parent.Changes()))
				}
				return
			}
			if u.Name() != strings.TrimSpace(tt.uname) || u.Code() != tt.code || u.Level() != tt.level || u.Version() != 0 {
				t.Fatalf("state: %q %q %q v%d", u.Name(), u.Code(), u.Level(), u.Version())
			}
			if got := aggtest.Types(u.Changes()); !slices.Equal(got, []string{TypeUnitEstablished}) {
				t.Fatalf("unit recorded %v", got)
			}
			if parent == nil {
				if u.ParentID() != uuid.Nil || len(u.Path()) != 0 {
					t.Fatalf("root has parent %s, path %v", u.ParentID(), u.Path())
				}
				return
			}
			if want := append(parent.Path(), parent.ID()); !slices.Equal(u.Path(), want) || u.ParentID() != parent.ID() {
				t.Fatalf("path %v, want %v", u.Path(), want)
			}
			if got := aggtest.Types(parent.Changes()); !slices.Equal(got, []string{TypeUnitChildAdded}) {
				t.Fatalf("parent recorded %v", got)
			}
			if !slices.Contains(parent.Children(), u.ID()) {
				t.Fatal("parent does not list the child")
			}
			tr.commit(u, parent)
		})
	}
}

func TestEstablishedPayload(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	root, ws1 := tr.u("root"), tr.u("ws1")
	u, err := Establish(uuid.New(), "Team 7", "T7", LevelTeam, ws1)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(u.Changes()[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"unit_id": u.ID().String(), "name": "Team 7", "code": "T7", "level": "team",
		"parent_id": ws1.ID().String(),
		"path":      []any{tr.id["root"].String(), tr.id["st1"].String(), tr.id["ws1"].String()},
	}
	if got, _ := json.Marshal(p); string(got) != mustJSON(t, want) {
		t.Fatalf("payload %s\nwant %s", got, mustJSON(t, want))
	}
	rootEvent := tr.streams[root.Stream()][0]
	if strings.Contains(string(rootEvent.Data), "parent_id") || !strings.Contains(string(rootEvent.Data), `"path":[]`) {
		t.Fatalf("root payload has a parent: %s", rootEvent.Data)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRename(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		newName string
		closed  bool
		events  int
		want    error
	}{
		{"renamed", "Depot No. 2", false, 1, nil},
		{"trimmed", "  Depot  ", false, 1, nil},
		{"same name records nothing", "unit st1", false, 0, nil},
		{"same name after trimming records nothing", " unit st1 ", false, 0, nil},
		{"empty", "  ", false, 0, fault.ErrInvalid},
		{"too long", strings.Repeat("x", 101), false, 0, fault.ErrInvalid},
		{"closed", "Depot", true, 0, ErrUnitClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			u := tr.u("st1")
			if tt.closed {
				u.s.closed = true
			}
			err := u.Rename(tt.newName)
			aggtest.WantErr(t, err, tt.want)
			if len(u.Changes()) != tt.events {
				t.Fatalf("recorded %v", aggtest.Types(u.Changes()))
			}
			if err == nil && u.Name() != strings.TrimSpace(tt.newName) {
				t.Fatalf("name %q", u.Name())
			}
			if tt.want == fault.ErrInvalid {
				aggtest.WantField(t, err, "name")
			}
			if !tt.closed {
				tr.commit(u)
			}
		})
	}
}

func TestCloseUnit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		unit   string
		parent string // "" for nil
		setup  func(tr *tree)
		reason string
		want   error
		work   OpenWork
	}{
		{"empty team", "tm1", "ws1", nil, "merged", nil, OpenWork{}},
		{"reason optional", "tm2", "st1", nil, "", nil, OpenWork{}},
		{"with one open child", "ws1", "st1", nil, "", ErrNotEmpty, OpenWork{Children: 1}},
		{"with two open children", "st1", "root", nil, "", ErrNotEmpty, OpenWork{Children: 2}},
		{"children closed first", "ws1", "st1", func(tr *tree) {
			tm1, ws1 := tr.u("tm1"), tr.u("ws1")
			if err := CloseUnit(tm1, ws1, "gone"); err != nil {
				tr.t.Fatal(err)
			}
			tr.commit(tm1, ws1)
		}, "", nil, OpenWork{}},
		{"with an employee", "tm1", "ws1", func(tr *tree) { tr.register("tm1") }, "", ErrNotEmpty, OpenWork{Employees: 1}},
		{"with children and employees", "st2", "root", func(tr *tree) { tr.register("st2"); tr.register("st2") },
			"", ErrNotEmpty, OpenWork{Children: 1, Employees: 2}},
		{"already closed", "tm1", "ws1", func(tr *tree) {
			tm1, ws1 := tr.u("tm1"), tr.u("ws1")
			if err := CloseUnit(tm1, ws1, ""); err != nil {
				tr.t.Fatal(err)
			}
			tr.commit(tm1, ws1)
		}, "", ErrUnitClosed, OpenWork{}},
		{"wrong parent", "tm1", "st1", nil, "", ErrInconsistent, OpenWork{}},
		{"parent missing", "tm1", "", nil, "", ErrInconsistent, OpenWork{}},
		{"reason too long", "tm1", "ws1", nil, strings.Repeat("r", 501), fault.ErrInvalid, OpenWork{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			if tt.setup != nil {
				tt.setup(tr)
			}
			u := tr.u(tt.unit)
			var parent *Unit
			if tt.parent != "" {
				parent = tr.u(tt.parent)
			}
			err := CloseUnit(u, parent, tt.reason)
			aggtest.WantErr(t, err, tt.want)
			if err != nil {
				var ne *NotEmptyError
				if errors.As(err, &ne) && (ne.Work != tt.work || ne.Unit != u.ID()) {
					t.Fatalf("open work %+v of %s, want %+v", ne.Work, ne.Unit, tt.work)
				}
				if tt.want == ErrNotEmpty && !errors.Is(err, fault.ErrInvalidState) {
					t.Fatal("ErrNotEmpty is not fault.ErrInvalidState")
				}
				if len(u.Changes()) != 0 || parent != nil && len(parent.Changes()) != 0 {
					t.Fatal("recorded events on failure")
				}
				return
			}
			if !u.Closed() || slices.Contains(parent.Children(), u.ID()) {
				t.Fatal("not closed, or still the parent's child")
			}
			if !slices.Equal(aggtest.Types(parent.Changes()), []string{TypeUnitChildRemoved}) {
				t.Fatalf("parent recorded %v", aggtest.Types(parent.Changes()))
			}
			tr.commit(u, parent)
			for _, op := range []func(*Unit) error{
				func(u *Unit) error { return u.Rename("again") },
				func(u *Unit) error { return u.Close("") },
				func(u *Unit) error { return u.JoinEmployee(uuid.New()) },
				func(u *Unit) error { return u.MoveUnder(tr.u("root")) },
			} {
				aggtest.WantErr(t, op(tr.unit(u.ID())), ErrUnitClosed)
			}
		})
	}
}

func TestCloseRoot(t *testing.T) {
	t.Parallel()
	root, err := Establish(uuid.New(), "Bureau", "B", LevelBureau, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := CloseUnit(root, nil, "test bureau"); err != nil {
		t.Fatal(err)
	}
	if got := aggtest.Types(root.Changes()); !slices.Equal(got, []string{TypeUnitEstablished, TypeUnitClosed}) {
		t.Fatalf("recorded %v", got)
	}
	_, err = Establish(uuid.New(), "Station", "S", LevelStation, root)
	aggtest.WantErr(t, err, ErrUnitClosed)
}
