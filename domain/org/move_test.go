package org

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestMoveUnderOwnSubtreeIsACycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unit, under string
		depth       int
	}{
		{"root", "root", 0},
		{"root", "st1", 1},
		{"root", "ws1", 2},
		{"root", "tm1", 3},
		{"st1", "st1", 0},
		{"st1", "ws1", 1},
		{"st1", "tm1", 2},
		{"st1", "tm2", 1},
		{"ws1", "tm1", 1},
		{"tm1", "tm1", 0},
	}
	tr := newTree(t)
	for _, tt := range tests {
		u, to := tr.u(tt.unit), tr.u(tt.under)
		err := u.MoveUnder(to)
		var ce *CycleError
		if !errors.As(err, &ce) || ce.Unit != u.ID() || ce.NewParent != to.ID() {
			t.Fatalf("%s under %s (depth %d): %v, want *CycleError", tt.unit, tt.under, tt.depth, err)
		}
		aggtest.WantErr(t, err, ErrCycle)
		aggtest.WantErr(t, err, fault.ErrInvalid)
		aggtest.WantField(t, err, "parent_id")
		if tt.unit != "root" {
			from := tr.u(tr.nameOf(u.ParentID()))
			aggtest.WantErr(t, Move(u, from, to, nil), ErrCycle)
		}
		if len(u.Changes()) != 0 {
			t.Fatal("recorded on failure")
		}
	}
}

func (tr *tree) nameOf(id uuid.UUID) string {
	for n, x := range tr.id {
		if x == id {
			return n
		}
	}
	tr.t.Fatalf("unit %s not in the fixture", id)
	return ""
}

func TestMove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		unit        string
		from, to    string
		descendants []string
		want        error
		changed     map[string][]string // fixture unit -> path expected after the move, as names
	}{
		{"workshop with its team to another station", "ws1", "st1", "st2", []string{"tm1"}, nil,
			map[string][]string{"ws1": {"root", "st2"}, "tm1": {"root", "st2", "ws1"}}},
		{"team from station to workshop", "tm2", "st1", "ws2", nil, nil,
			map[string][]string{"tm2": {"root", "st2", "ws2"}}},
		{"team skips up to a station", "tm1", "ws1", "st2", nil, nil,
			map[string][]string{"tm1": {"root", "st2"}}},
		{"station to a second bureau, three levels follow", "st1", "root", "root2", []string{"tm2", "tm1", "ws1"}, nil,
			map[string][]string{"st1": {"root2"}, "ws1": {"root2", "st1"}, "tm1": {"root2", "st1", "ws1"}, "tm2": {"root2", "st1"}}},
		{"same parent records nothing", "ws1", "st1", "st1", []string{"tm1"}, nil, nil},
		{"workshop under workshop", "ws1", "st1", "ws2", []string{"tm1"}, fault.ErrInvalid, nil},
		{"station under station", "st1", "root", "st2", []string{"ws1", "tm1", "tm2"}, fault.ErrInvalid, nil},
		{"workshop under team", "ws2", "st2", "tm2", nil, fault.ErrInvalid, nil},
		{"into a closed unit", "tm1", "ws1", "closed", nil, ErrUnitClosed, nil},
		{"nil target", "tm1", "ws1", "", nil, fault.ErrInvalid, nil},
		{"from is not the parent", "tm1", "st1", "st2", nil, ErrInconsistent, nil},
		{"descendant missing", "ws1", "st1", "st2", nil, ErrInconsistent, nil},
		{"descendant outside the subtree", "ws1", "st1", "st2", []string{"tm1", "tm2"}, ErrInconsistent, nil},
		{"descendant twice", "ws1", "st1", "st2", []string{"tm1", "tm1"}, ErrInconsistent, nil},
		{"moved unit among descendants", "ws1", "st1", "st2", []string{"tm1", "ws1"}, ErrInconsistent, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			root2, err := Establish(uuid.New(), "Second bureau", "B2", LevelBureau, nil)
			if err != nil {
				t.Fatal(err)
			}
			tr.commit(root2)
			tr.id["root2"] = root2.ID()
			r2 := tr.u("root2")
			closed, err := Establish(uuid.New(), "Closed", "C", LevelStation, r2)
			if err != nil {
				t.Fatal(err)
			}
			tr.commit(closed, r2)
			closed, r2 = tr.unit(closed.ID()), tr.u("root2")
			if err := CloseUnit(closed, r2, "closed for the test"); err != nil {
				t.Fatal(err)
			}
			tr.commit(closed, r2)
			tr.id["closed"] = closed.ID()
			closed = tr.unit(closed.ID())
			u, from := tr.u(tt.unit), tr.u(tt.from)
			var to *Unit
			switch tt.to {
			case "":
			case "closed":
				to = closed
			default:
				to = tr.u(tt.to)
			}
			var desc []*Unit
			for _, n := range tt.descendants {
				desc = append(desc, tr.u(n))
			}
			all := append([]*Unit{u, from}, desc...)
			if to != nil && to.ID() != from.ID() {
				all = append(all, to)
			}
			err = Move(u, from, to, desc)
			aggtest.WantErr(t, err, tt.want)
			if err != nil || tt.changed == nil {
				for _, a := range all {
					if len(a.Changes()) != 0 {
						t.Fatalf("%s recorded %v", tr.nameOf(a.ID()), aggtest.Types(a.Changes()))
					}
				}
				return
			}
			if got := aggtest.Types(u.Changes()); !slices.Equal(got, []string{TypeUnitMoved}) {
				t.Fatalf("unit recorded %v", got)
			}
			if got := aggtest.Types(from.Changes()); !slices.Equal(got, []string{TypeUnitChildRemoved}) {
				t.Fatalf("old parent recorded %v", got)
			}
			if got := aggtest.Types(to.Changes()); !slices.Equal(got, []string{TypeUnitChildAdded}) {
				t.Fatalf("new parent recorded %v", got)
			}
			for _, d := range desc {
				if got := aggtest.Types(d.Changes()); !slices.Equal(got, []string{TypeUnitPathChanged}) {
					t.Fatalf("descendant recorded %v", got)
				}
			}
			if u.ParentID() != to.ID() || slices.Contains(from.Children(), u.ID()) || !slices.Contains(to.Children(), u.ID()) {
				t.Fatal("parent links not updated")
			}
			for _, a := range all {
				tr.commit(a)
			}
			for name, path := range tt.changed {
				var want []uuid.UUID
				for _, n := range path {
					want = append(want, tr.id[n])
				}
				if got := tr.u(name).Path(); !slices.Equal(got, want) {
					t.Errorf("%s path %v, want %v", name, got, want)
				}
				for _, n := range path {
					if !tr.u(name).WithinSubtreeOf(tr.id[n]) {
						t.Errorf("%s not within %s", name, n)
					}
				}
			}
			if tt.unit == "ws1" && tr.u("tm1").WithinSubtreeOf(tr.id["st1"]) {
				t.Error("tm1 still within its old station")
			}
		})
	}
}

func TestWithinSubtreeOf(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	tests := []struct {
		unit, ancestor string
		within         bool
	}{
		{"tm1", "tm1", true}, {"tm1", "ws1", true}, {"tm1", "st1", true}, {"tm1", "root", true},
		{"tm1", "tm2", false}, {"tm1", "st2", false}, {"ws1", "tm1", false}, {"root", "st1", false},
		{"st1", "st2", false}, {"ws2", "root", true},
	}
	for _, tt := range tests {
		if got := tr.u(tt.unit).WithinSubtreeOf(tr.id[tt.ancestor]); got != tt.within {
			t.Errorf("%s within %s = %v", tt.unit, tt.ancestor, got)
		}
	}
	if tr.u("root").WithinSubtreeOf(uuid.Nil) {
		t.Error("within the nil id")
	}
}

func TestTreePrimitivesRefuseMismatches(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	emp := tr.register("tm1")
	tests := []struct {
		name string
		op   func() error
		want error
	}{
		{"add nil child", func() error { return tr.u("st1").AddChild(nil) }, fault.ErrInvalid},
		{"add a unit of another parent", func() error { return tr.u("st2").AddChild(tr.u("ws1")) }, ErrInconsistent},
		{"add a child twice", func() error { return tr.u("st1").AddChild(tr.u("ws1")) }, ErrInconsistent},
		{"add to a closed unit", func() error { p := tr.u("st1"); p.s.closed = true; return p.AddChild(tr.u("ws1")) }, ErrUnitClosed},
		{"remove nil child", func() error { return tr.u("st1").RemoveChild(nil) }, fault.ErrInvalid},
		{"remove a non-child", func() error { return tr.u("st1").RemoveChild(tr.u("ws2")) }, ErrInconsistent},
		{"remove a child still there", func() error { return tr.u("st1").RemoveChild(tr.u("ws1")) }, ErrInconsistent},
		{"path from nil parent", func() error { return tr.u("tm1").ChangePath(nil) }, fault.ErrInvalid},
		{"path from a non-parent", func() error { return tr.u("tm1").ChangePath(tr.u("st1")) }, ErrInconsistent},
		{"path of a closed unit", func() error { u := tr.u("tm1"); u.s.closed = true; return u.ChangePath(tr.u("ws1")) }, ErrUnitClosed},
		{"join nil employee", func() error { return tr.u("tm1").JoinEmployee(uuid.Nil) }, fault.ErrInvalid},
		{"join twice", func() error { return tr.u("tm1").JoinEmployee(emp) }, ErrInconsistent},
		{"leave a unit one is not at", func() error { return tr.u("tm2").LeaveEmployee(emp) }, ErrInconsistent},
		{"move under nil", func() error { return tr.u("tm1").MoveUnder(nil) }, fault.ErrInvalid},
		{"move under closed", func() error { p := tr.u("st2"); p.s.closed = true; return tr.u("tm1").MoveUnder(p) }, ErrUnitClosed},
		{"move nil unit", func() error { return Move(nil, tr.u("st1"), tr.u("st2"), nil) }, fault.ErrInvalid},
		{"close nil unit", func() error { return CloseUnit(nil, nil, "") }, fault.ErrInvalid},
	}
	for _, tt := range tests {
		aggtest.WantErr(t, tt.op(), tt.want)
	}
	u := tr.u("tm1")
	if err := u.ChangePath(tr.u("ws1")); err != nil || len(u.Changes()) != 0 {
		t.Fatalf("unchanged path: %v, recorded %v", err, aggtest.Types(u.Changes()))
	}
	if !u.HasEmployee(emp) || u.OpenWork() != (OpenWork{Employees: 1}) {
		t.Fatalf("membership %+v", u.OpenWork())
	}
}
