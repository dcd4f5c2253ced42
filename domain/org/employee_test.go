package org

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	with := func(f func(p *Personal)) Personal { p := validPersonal(); f(&p); return p }
	member := func(rel Relation, name Sealed, born string) func(p *Personal) {
		return func(p *Personal) { p.Family = []FamilyMember{{Relation: rel, Name: name, BirthDate: born}} }
	}
	shanghai := time.FixedZone("Asia/Shanghai", 8*3600)
	tests := []struct {
		name  string
		p     Personal
		now   time.Time
		unit  string // fixture unit, "closed", or "" for nil
		id    uuid.UUID
		want  error
		field string
	}{
		{"complete", validPersonal(), now, "tm1", uuid.New(), nil, ""},
		{"at a station", validPersonal(), now, "st1", uuid.New(), nil, ""},
		{"phone and bank account not known yet", with(func(p *Personal) { p.Phone, p.BankAccount = "", "" }), now, "tm1", uuid.New(), nil, ""},
		{"no family", with(func(p *Personal) { p.Family = nil }), now, "tm1", uuid.New(), nil, ""},
		{"each relation", with(func(p *Personal) {
			p.Family = []FamilyMember{{"spouse", "n", "1980-01-01"}, {"child", "n", "2010-01-01"}, {"parent", "n", "1950-01-01"}, {"other", "n", "1990-01-01"}}
		}), now, "tm1", uuid.New(), nil, ""},
		{"born today", with(member(RelationChild, "n", "2025-06-15")), now, "tm1", uuid.New(), nil, ""},
		{"born today in now's zone", with(member(RelationChild, "n", "2025-06-16")), time.Date(2025, 6, 15, 20, 0, 0, 0, time.UTC).In(shanghai), "tm1", uuid.New(), nil, ""},
		{"nil id", validPersonal(), now, "tm1", uuid.Nil, fault.ErrInvalid, "id"},
		{"no unit", validPersonal(), now, "", uuid.New(), fault.ErrInvalid, "unit_id"},
		{"closed unit", validPersonal(), now, "closed", uuid.New(), ErrUnitClosed, ""},
		{"no name", with(func(p *Personal) { p.Name = "" }), now, "tm1", uuid.New(), fault.ErrInvalid, "name"},
		{"no ID number", with(func(p *Personal) { p.IDNumber = "" }), now, "tm1", uuid.New(), fault.ErrInvalid, "id_number"},
		{"sealed value too long", with(func(p *Personal) { p.Phone = Sealed(strings.Repeat("x", MaxSealedLen+1)) }), now, "tm1", uuid.New(), fault.ErrInvalid, "phone"},
		{"sealed value with NUL", with(func(p *Personal) { p.BankAccount = "ab\x00" }), now, "tm1", uuid.New(), fault.ErrInvalid, "bank_account"},
		{"unknown relation", with(member("cousin", "n", "2000-01-01")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].relation"},
		{"empty relation", with(member("", "n", "2000-01-01")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].relation"},
		{"family name missing", with(member(RelationChild, "", "2000-01-01")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].name"},
		{"birth date missing", with(member(RelationChild, "n", "")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"birth date unpadded", with(member(RelationChild, "n", "2010-1-2")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"birth date with slashes", with(member(RelationChild, "n", "2010/01/02")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"birth date with time", with(member(RelationChild, "n", "2010-01-02T00:00:00Z")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"29 February of a common year", with(member(RelationChild, "n", "2021-02-29")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"month 13", with(member(RelationChild, "n", "2010-13-01")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"born tomorrow", with(member(RelationChild, "n", "2025-06-16")), now, "tm1", uuid.New(), fault.ErrInvalid, "family[0].birth_date"},
		{"second member wrong", with(func(p *Personal) { p.Family[1].BirthDate = "2030-01-01" }), now, "tm1", uuid.New(), fault.ErrInvalid, "family[1].birth_date"},
		{"too many members", with(func(p *Personal) {
			p.Family = slices.Repeat([]FamilyMember{{RelationOther, "n", "2000-01-01"}}, MaxFamily+1)
		}), now, "tm1", uuid.New(), fault.ErrInvalid, "family"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			var unit *Unit
			switch tt.unit {
			case "":
			case "closed":
				tm1, ws1 := tr.u("tm1"), tr.u("ws1")
				if err := CloseUnit(tm1, ws1, ""); err != nil {
					t.Fatal(err)
				}
				tr.commit(tm1, ws1)
				unit = tr.u("tm1")
			default:
				unit = tr.u(tt.unit)
			}
			e, err := Register(tt.id, unit, tt.p, tt.now)
			aggtest.WantErr(t, err, tt.want)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
			}
			if err != nil {
				if e != nil || unit != nil && len(unit.Changes()) != 0 {
					t.Fatal("recorded on failure")
				}
				return
			}
			if got := aggtest.Types(e.Changes()); !slices.Equal(got, []string{TypeEmployeeRegistered}) {
				t.Fatalf("employee recorded %v", got)
			}
			if got := aggtest.Types(unit.Changes()); !slices.Equal(got, []string{TypeUnitEmployeeJoined}) {
				t.Fatalf("unit recorded %v", got)
			}
			if e.UnitID() != unit.ID() || !unit.HasEmployee(e.ID()) || e.Erased() || e.Version() != 0 {
				t.Fatal("state after registering")
			}
			if got := e.Personal(); got.Name != tt.p.Name || got.IDNumber != tt.p.IDNumber || len(got.Family) != len(tt.p.Family) {
				t.Fatalf("personal %+v", got)
			}
			tr.commit(e, unit)
		})
	}
}

func TestEmployeeRegisteredPayload(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	unit := tr.u("tm1")
	e, err := Register(uuid.New(), unit, validPersonal(), now)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"employee_id":"` + e.ID().String() + `","unit_id":"` + unit.ID().String() + `",` +
		`"name":"sealed:name","id_number":"sealed:id","phone":"sealed:phone","bank_account":"sealed:bank",` +
		`"family":[{"relation":"spouse","name":"sealed:spouse","birth_date":"1980-02-29"},` +
		`{"relation":"child","name":"sealed:child","birth_date":"2007-09-01"}]}`
	if got := string(e.Changes()[0].Data); got != want {
		t.Fatalf("payload\n%s\nwant\n%s", got, want)
	}
}

func TestTransfer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to string
		erased   bool
		want     error
		moved    bool
	}{
		{"to another station's team", "tm1", "ws2", false, nil, true},
		{"up to the bureau", "tm1", "root", false, nil, true},
		{"same unit records nothing", "tm1", "tm1", false, nil, false},
		{"erased", "tm1", "ws2", true, ErrErased, false},
		{"into a closed unit", "tm1", "closed", false, ErrUnitClosed, false},
		{"from a unit they are not at", "tm2", "ws2", false, ErrInconsistent, false},
		{"to nowhere", "tm1", "", false, fault.ErrInvalid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			id := tr.register("tm1")
			if tt.erased {
				e, unit := tr.employee(id), tr.u("tm1")
				if err := e.Erase(unit, "requested"); err != nil {
					t.Fatal(err)
				}
				tr.commit(e, unit)
			}
			tm2, st1 := tr.u("tm2"), tr.u("st1")
			if err := CloseUnit(tm2, st1, ""); err != nil {
				t.Fatal(err)
			}
			tr.commit(tm2, st1)
			tr.id["closed"] = tm2.ID()
			e, from := tr.employee(id), tr.u(tt.from)
			var to *Unit
			if tt.to != "" {
				to = tr.u(tt.to)
			}
			err := e.Transfer(from, to)
			aggtest.WantErr(t, err, tt.want)
			if !tt.moved {
				if len(e.Changes())+len(from.Changes()) != 0 || to != nil && len(to.Changes()) != 0 {
					t.Fatal("recorded events")
				}
				return
			}
			if !slices.Equal(aggtest.Types(e.Changes()), []string{TypeEmployeeTransferred}) ||
				!slices.Equal(aggtest.Types(from.Changes()), []string{TypeUnitEmployeeLeft}) ||
				!slices.Equal(aggtest.Types(to.Changes()), []string{TypeUnitEmployeeJoined}) {
				t.Fatalf("recorded %v %v %v", aggtest.Types(e.Changes()), aggtest.Types(from.Changes()), aggtest.Types(to.Changes()))
			}
			tr.commit(e, from, to)
			if tr.employee(id).UnitID() != to.ID() || tr.u(tt.from).HasEmployee(id) || !tr.u(tt.to).HasEmployee(id) {
				t.Fatal("membership not moved")
			}
		})
	}
}

func TestChangeDetails(t *testing.T) {
	t.Parallel()
	phone, bank, bad := Sealed("sealed:phone2"), Sealed("sealed:bank2"), Sealed("x\x01")
	family := []FamilyMember{{RelationParent, "sealed:mother", "1955-03-01"}}
	empty := []FamilyMember{}
	future := []FamilyMember{{RelationChild, "sealed:c", "2026-01-01"}}
	tests := []struct {
		name    string
		c       DetailsChange
		erased  bool
		want    error
		field   string
		payload string
	}{
		{"phone", DetailsChange{Phone: &phone}, false, nil, "", `{"phone":"sealed:phone2"}`},
		{"bank account", DetailsChange{BankAccount: &bank}, false, nil, "", `{"bank_account":"sealed:bank2"}`},
		{"family replaced", DetailsChange{Family: &family}, false, nil, "",
			`{"family":[{"relation":"parent","name":"sealed:mother","birth_date":"1955-03-01"}]}`},
		{"family cleared", DetailsChange{Family: &empty}, false, nil, "", `{"family":[]}`},
		{"all", DetailsChange{Phone: &phone, BankAccount: &bank, Family: &empty}, false, nil, "",
			`{"phone":"sealed:phone2","bank_account":"sealed:bank2","family":[]}`},
		{"nothing", DetailsChange{}, false, fault.ErrInvalid, "details", ""},
		{"bad phone", DetailsChange{Phone: &bad}, false, fault.ErrInvalid, "phone", ""},
		{"bad bank account", DetailsChange{BankAccount: &bad}, false, fault.ErrInvalid, "bank_account", ""},
		{"child born in the future", DetailsChange{Family: &future}, false, fault.ErrInvalid, "family[0].birth_date", ""},
		{"erased", DetailsChange{Phone: &phone}, true, ErrErased, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			id := tr.register("tm1")
			e := tr.employee(id)
			if tt.erased {
				unit := tr.u("tm1")
				if err := e.Erase(unit, "left the union"); err != nil {
					t.Fatal(err)
				}
				tr.commit(e, unit)
				e = tr.employee(id)
			}
			before := e.Personal()
			err := e.ChangeDetails(tt.c, now)
			aggtest.WantErr(t, err, tt.want)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
			}
			if err != nil {
				if len(e.Changes()) != 0 {
					t.Fatal("recorded on failure")
				}
				return
			}
			if got := string(e.Changes()[0].Data); got != tt.payload {
				t.Fatalf("payload %s, want %s", got, tt.payload)
			}
			after := e.Personal()
			if after.Name != before.Name || after.IDNumber != before.IDNumber {
				t.Fatal("name or ID number changed")
			}
			if tt.c.Phone == nil && after.Phone != before.Phone || tt.c.Family == nil && len(after.Family) != len(before.Family) {
				t.Fatal("a field not given changed")
			}
			tr.commit(e)
		})
	}
}

func TestErase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		unit   string
		reason string
		twice  bool
		want   error
	}{
		{"erased", "tm1", "asked under PIPL art. 47", false, nil},
		{"no reason", "tm1", "  ", false, fault.ErrInvalid},
		{"reason too long", "tm1", strings.Repeat("r", MaxReasonRunes+1), false, fault.ErrInvalid},
		{"not at that unit", "tm2", "asked", false, ErrInconsistent},
		{"twice", "tm1", "asked", true, ErrErased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTree(t)
			id := tr.register("tm1")
			if tt.twice {
				e, unit := tr.employee(id), tr.u("tm1")
				if err := e.Erase(unit, "first"); err != nil {
					t.Fatal(err)
				}
				tr.commit(e, unit)
			}
			e, unit := tr.employee(id), tr.u(tt.unit)
			err := e.Erase(unit, tt.reason)
			aggtest.WantErr(t, err, tt.want)
			if err != nil {
				if len(e.Changes())+len(unit.Changes()) != 0 {
					t.Fatal("recorded on failure")
				}
				return
			}
			if !e.Erased() || unit.HasEmployee(id) || e.Personal().Name != "" || len(e.Personal().Family) != 0 {
				t.Fatalf("state after erasing: %+v", e.Personal())
			}
			if !slices.Equal(aggtest.Types(unit.Changes()), []string{TypeUnitEmployeeLeft}) {
				t.Fatalf("unit recorded %v", aggtest.Types(unit.Changes()))
			}
			var p EmployeeErased
			if err := json.Unmarshal(e.Changes()[0].Data, &p); err != nil || p.Reason != tt.reason {
				t.Fatalf("payload %s", e.Changes()[0].Data)
			}
			tr.commit(e, unit)
			tm1, ws1 := tr.u("tm1"), tr.u("ws1")
			if err := CloseUnit(tm1, ws1, ""); err != nil {
				t.Fatalf("unit with only an erased employee cannot close: %v", err)
			}
		})
	}
}
