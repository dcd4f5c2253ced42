package org

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestChangesAreReadyToAppend(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	u := tr.u("st1")
	if u.Version() != 3 || u.Changes() != nil {
		t.Fatalf("loaded st1 at version %d with changes %v", u.Version(), u.Changes())
	}
	if err := u.Rename("A"); err != nil {
		t.Fatal(err)
	}
	if err := u.Rename("B"); err != nil {
		t.Fatal(err)
	}
	changes := u.Changes()
	if len(changes) != 2 || changes[0].ID == changes[1].ID || changes[0].ID.Version() != 7 {
		t.Fatalf("changes %+v", changes)
	}
	if err := event.ValidateAppend(u.Stream(), event.Exact(u.Version()), changes); err != nil {
		t.Fatal(err)
	}
	if changes[0].Metadata != (event.Metadata{}) {
		t.Fatal("metadata is the command layer's to stamp")
	}
	changes[0].Type = "mutated"
	if u.Changes()[0].Type != TypeUnitRenamed {
		t.Fatal("Changes exposes the aggregate's slice")
	}
	if u.Stream() != "unit-"+u.ID().String() || EmployeeStream(u.ID()) != "employee-"+u.ID().String() {
		t.Fatal("stream names")
	}
	p := u.Path()
	p[0] = uuid.Nil
	if u.Path()[0] == uuid.Nil {
		t.Fatal("Path exposes the aggregate's slice")
	}
}

func TestLoadUnitRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id, other, parent := uuid.New(), uuid.New(), uuid.New()
	s := UnitStream(id)
	est := `{"unit_id":"` + id.String() + `","name":"n","code":"c","level":"bureau","path":[]}`
	estChild := `{"unit_id":"` + id.String() + `","name":"n","code":"c","level":"team","parent_id":"` + parent.String() + `","path":["` + parent.String() + `"]}`
	aggtest.RefusesHistory(t, s, id, LoadUnit, []aggtest.Broken{
		{Name: "empty", Want: event.ErrNotFound},
		{Name: "unknown type", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, est), rec(s, 2, "unit.exploded", `{}`)}, Want: fault.ErrUnknownEvent},
		{Name: "first event not established", History: []event.Recorded{rec(s, 1, TypeUnitRenamed, `{"name":"x"}`)}, Want: fault.ErrHistory},
		{Name: "established twice", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, est), rec(s, 2, TypeUnitEstablished, est)}, Want: fault.ErrHistory},
		{Name: "other unit's id", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":"`+other.String()+`","level":"bureau","path":[]}`)}, Want: fault.ErrHistory},
		{Name: "unknown level", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":"`+id.String()+`","level":"person","path":[]}`)}, Want: fault.ErrHistory},
		{Name: "path without parent", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":"`+id.String()+`","level":"bureau","path":["`+other.String()+`"]}`)}, Want: fault.ErrHistory},
		{Name: "parent not last in path", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":"`+id.String()+`","level":"team","parent_id":"`+parent.String()+`","path":["`+parent.String()+`","`+other.String()+`"]}`)}, Want: fault.ErrHistory},
		{Name: "path deeper than the level", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":"`+id.String()+`","level":"station","parent_id":"`+parent.String()+`","path":["`+other.String()+`","`+parent.String()+`"]}`)}, Want: fault.ErrHistory},
		{Name: "moved under itself", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, estChild), rec(s, 2, TypeUnitMoved, `{"parent_id":"`+id.String()+`","path":["`+id.String()+`"]}`)}, Want: fault.ErrHistory},
		{Name: "moved without parent", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, estChild), rec(s, 2, TypeUnitMoved, `{"path":[]}`)}, Want: fault.ErrHistory},
		{Name: "child is nil", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, est), rec(s, 2, TypeUnitChildAdded, `{}`)}, Want: fault.ErrHistory},
		{Name: "not JSON", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{`)}, Want: fault.ErrHistory},
		{Name: "payload of the wrong shape", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, `{"unit_id":42}`)}, Want: fault.ErrHistory},
		{Name: "version gap", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, est), rec(s, 3, TypeUnitRenamed, `{"name":"x"}`)}, Want: fault.ErrHistory},
		{Name: "starts after version 1", History: []event.Recorded{rec(s, 2, TypeUnitEstablished, est)}, Want: fault.ErrHistory},
		{Name: "another stream's event", History: []event.Recorded{rec(UnitStream(other), 1, TypeUnitEstablished, est)}, Want: fault.ErrHistory},
		{Name: "an employee event", History: []event.Recorded{rec(s, 1, TypeUnitEstablished, est), rec(s, 2, TypeEmployeeErased, `{}`)}, Want: fault.ErrUnknownEvent},
	})
}

func TestLoadEmployeeRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id, unit := uuid.New(), uuid.New()
	s := EmployeeStream(id)
	reg := `{"employee_id":"` + id.String() + `","unit_id":"` + unit.String() + `","name":"x","id_number":"y","family":[]}`
	aggtest.RefusesHistory(t, s, id, LoadEmployee, []aggtest.Broken{
		{Name: "empty", Want: event.ErrNotFound},
		{Name: "unknown type", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, reg), rec(s, 2, "employee.promoted", `{}`)}, Want: fault.ErrUnknownEvent},
		{Name: "first event not registered", History: []event.Recorded{rec(s, 1, TypeEmployeeErased, `{}`)}, Want: fault.ErrHistory},
		{Name: "registered twice", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, reg), rec(s, 2, TypeEmployeeRegistered, reg)}, Want: fault.ErrHistory},
		{Name: "other employee", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, `{"employee_id":"`+unit.String()+`","unit_id":"`+unit.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "no unit", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, `{"employee_id":"`+id.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "transferred nowhere", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, reg), rec(s, 2, TypeEmployeeTransferred, `{}`)}, Want: fault.ErrHistory},
		{Name: "family not a list", History: []event.Recorded{rec(s, 1, TypeEmployeeRegistered, reg), rec(s, 2, TypeEmployeeDetailsChanged, `{"family":{}}`)}, Want: fault.ErrHistory},
	})
}

// TestRoundTripOfAWholeLife drives one unit and one employee through every
// event type; memStore.commit reloads each stream after every step and
// compares the rebuilt state with the decided one.
func TestRoundTripOfAWholeLife(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	id := tr.register("tm1")
	e, tm1, ws2 := tr.employee(id), tr.u("tm1"), tr.u("ws2")
	if err := e.Transfer(tm1, ws2); err != nil {
		t.Fatal(err)
	}
	tr.commit(e, tm1, ws2)
	phone := Sealed("sealed:p")
	e = tr.employee(id)
	if err := e.ChangeDetails(DetailsChange{Phone: &phone, Family: &[]FamilyMember{}}, now); err != nil {
		t.Fatal(err)
	}
	tr.commit(e)
	ws1, st1, st2, tm1 := tr.u("ws1"), tr.u("st1"), tr.u("st2"), tr.u("tm1")
	if err := Move(ws1, st1, st2, []*Unit{tm1}); err != nil {
		t.Fatal(err)
	}
	tr.commit(ws1, st1, st2, tm1)
	tm1, ws1 = tr.u("tm1"), tr.u("ws1")
	if err := tm1.Rename("Team one"); err != nil {
		t.Fatal(err)
	}
	if err := CloseUnit(tm1, ws1, "merged"); err != nil {
		t.Fatal(err)
	}
	tr.commit(tm1, ws1)
	e, ws2 = tr.employee(id), tr.u("ws2")
	if err := e.Erase(ws2, "asked"); err != nil {
		t.Fatal(err)
	}
	tr.commit(e, ws2)
	seen := map[string]bool{}
	for _, hist := range tr.streams {
		for _, r := range hist {
			seen[r.Type] = true
		}
	}
	for _, typ := range append(UnitEventTypes(), EmployeeEventTypes()...) {
		if !seen[typ] {
			t.Errorf("no %s in the life", typ)
		}
	}
}

var fuzzUnit = uuid.MustParse("0196f7a0-0000-7000-8000-000000000001")

// FuzzLoadUnit feeds arbitrary payloads under valid type names: replaying
// must never panic, may only fail with fault.ErrHistory, and a unit it accepts
// must answer every query and take further decisions without panicking.
func FuzzLoadUnit(f *testing.F) {
	est := `{"unit_id":"` + fuzzUnit.String() + `","name":"n","code":"c","level":"station","parent_id":"0196f7a0-0000-7000-8000-000000000002","path":["0196f7a0-0000-7000-8000-000000000002"]}`
	for _, seed := range []struct {
		first string
		typ   uint8
		data  string
	}{
		{est, 1, `{"name":"x"}`},
		{est, 2, `{"parent_id":"0196f7a0-0000-7000-8000-000000000003","path":["0196f7a0-0000-7000-8000-000000000003"]}`},
		{est, 3, `{"path":null}`},
		{est, 4, `{"child_id":"0196f7a0-0000-7000-8000-000000000004"}`},
		{est, 6, `{"employee_id":"0196f7a0-0000-7000-8000-000000000005"}`},
		{est, 8, `{"reason":"r"}`},
		{`{"unit_id":"` + fuzzUnit.String() + `","level":"bureau"}`, 0, `null`},
		{`null`, 0, `[]`},
		{`{"path":[1,2]}`, 5, `"x"`},
	} {
		f.Add(seed.first, seed.typ, seed.data)
	}
	types := UnitEventTypes()
	f.Fuzz(func(t *testing.T, first string, typ uint8, data string) {
		s := UnitStream(fuzzUnit)
		u, err := LoadUnit(fuzzUnit, []event.Recorded{aggtest.Rec(s, 1, TypeUnitEstablished, first), aggtest.Rec(s, 2, aggtest.Pick(types, typ), data)})
		if aggtest.Refused(t, err) {
			return
		}
		_ = u.Path()
		_ = u.Children()
		_ = u.OpenWork()
		_ = u.WithinSubtreeOf(uuid.New())
		_ = u.Rename("fuzzed")
		root, err := Establish(uuid.New(), "Root", "R", LevelBureau, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = u.MoveUnder(root)
		_ = Move(u, root, root, nil)
		_ = CloseUnit(u, root, "")
	})
}

var fuzzEmployee = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000e1")

// FuzzLoadEmployee: as FuzzLoadUnit, for employee streams.
func FuzzLoadEmployee(f *testing.F) {
	reg := `{"employee_id":"` + fuzzEmployee.String() + `","unit_id":"0196f7a0-0000-7000-8000-000000000002","name":"n","id_number":"i","family":[]}`
	for _, seed := range []struct {
		first string
		typ   uint8
		data  string
	}{
		{reg, 1, `{"unit_id":"0196f7a0-0000-7000-8000-000000000003"}`},
		{reg, 2, `{"phone":"p","family":[{"relation":"child","name":"c","birth_date":"2010-01-01"}]}`},
		{reg, 2, `{"family":null}`},
		{reg, 3, `{"reason":"r"}`},
		{`null`, 0, `{}`},
	} {
		f.Add(seed.first, seed.typ, seed.data)
	}
	types := EmployeeEventTypes()
	f.Fuzz(func(t *testing.T, first string, typ uint8, data string) {
		s := EmployeeStream(fuzzEmployee)
		e, err := LoadEmployee(fuzzEmployee, []event.Recorded{aggtest.Rec(s, 1, TypeEmployeeRegistered, first), aggtest.Rec(s, 2, aggtest.Pick(types, typ), data)})
		if aggtest.Refused(t, err) {
			return
		}
		_ = e.Personal()
		phone := Sealed("p")
		_ = e.ChangeDetails(DetailsChange{Phone: &phone}, now)
	})
}
