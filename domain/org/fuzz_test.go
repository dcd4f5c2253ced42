package org

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

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
		history := []event.Recorded{
			{Stream: s, Version: 1, Type: TypeUnitEstablished, Data: json.RawMessage(first)},
			{Stream: s, Version: 2, Type: types[int(typ)%len(types)], Data: json.RawMessage(data)},
		}
		u, err := LoadUnit(fuzzUnit, history)
		if err != nil {
			if !errors.Is(err, fault.ErrHistory) {
				t.Fatalf("error %v is not fault.ErrHistory", err)
			}
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
		history := []event.Recorded{
			{Stream: s, Version: 1, Type: TypeEmployeeRegistered, Data: json.RawMessage(first)},
			{Stream: s, Version: 2, Type: types[int(typ)%len(types)], Data: json.RawMessage(data)},
		}
		e, err := LoadEmployee(fuzzEmployee, history)
		if err != nil {
			if !errors.Is(err, fault.ErrHistory) {
				t.Fatalf("error %v is not fault.ErrHistory", err)
			}
			return
		}
		_ = e.Personal()
		phone := Sealed("p")
		_ = e.ChangeDetails(DetailsChange{Phone: &phone}, now)
	})
}
