package access

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestLoadAccountRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id, pos, unit := uuid.New(), uuid.New(), uuid.New()
	s := AccountStream(id)
	open := rec(s, 1, TypeAccountOpened, `{"account_id":"`+id.String()+`","login":"abc","name":"A"}`)
	assigned := `{"position_id":"` + pos.String() + `","unit_id":"` + unit.String() + `","unit_path":[],"title":"t","roles":["caseworker"]}`
	aggtest.RefusesHistory(t, s, id, LoadAccount, []aggtest.Broken{
		{Name: "empty", Want: event.ErrNotFound},
		{Name: "unknown type", History: []event.Recorded{open, rec(s, 2, "account.renamed", `{}`)}, Want: fault.ErrUnknownEvent},
		{Name: "first event not opened", History: []event.Recorded{rec(s, 1, TypeAccountPasswordSet, `{}`)}, Want: fault.ErrHistory},
		{Name: "opened twice", History: []event.Recorded{open, rec(s, 2, TypeAccountOpened, string(open.Data))}, Want: fault.ErrHistory},
		{Name: "other account", History: []event.Recorded{rec(s, 1, TypeAccountOpened, `{"account_id":"`+pos.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "position assigned twice", History: []event.Recorded{open, rec(s, 2, TypePositionAssigned, assigned), rec(s, 3, TypePositionAssigned, assigned)}, Want: fault.ErrHistory},
		{Name: "position without unit", History: []event.Recorded{open, rec(s, 2, TypePositionAssigned, `{"position_id":"`+pos.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "unknown role", History: []event.Recorded{open, rec(s, 2, TypePositionAssigned, `{"position_id":"`+pos.String()+`","unit_id":"`+unit.String()+`","roles":["root"]}`)}, Want: fault.ErrHistory},
		{Name: "vacating an unknown position", History: []event.Recorded{open, rec(s, 2, TypePositionVacated, `{"position_id":"`+pos.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "vacating twice", History: []event.Recorded{open, rec(s, 2, TypePositionAssigned, assigned),
			rec(s, 3, TypePositionVacated, `{"position_id":"`+pos.String()+`"}`), rec(s, 4, TypePositionVacated, `{"position_id":"`+pos.String()+`"}`)}, Want: fault.ErrHistory},
		{Name: "password_set not an object", History: []event.Recorded{open, rec(s, 2, TypeAccountPasswordSet, `[]`)}, Want: fault.ErrHistory},
		{Name: "version gap", History: []event.Recorded{open, rec(s, 3, TypeAccountPasswordSet, `{}`)}, Want: fault.ErrHistory},
		{Name: "another stream", History: []event.Recorded{rec(AccountStream(pos), 1, TypeAccountOpened, string(open.Data))}, Want: fault.ErrHistory},
		{Name: "not JSON", History: []event.Recorded{rec(s, 1, TypeAccountOpened, `{"account_id":`)}, Want: fault.ErrHistory},
	})
}

// TestAccountRoundTrip drives an account through every event type; commit
// reloads the stream after each step and compares the states.
func TestAccountRoundTrip(t *testing.T) {
	t.Parallel()
	u := newUnits()
	emp, successor := uuid.New(), uuid.New()
	a, err := OpenAccount(uuid.New(), "li.si", "Li Si", &emp)
	if err != nil {
		t.Fatal(err)
	}
	aggtest.WantErr(t, a.SetPassword(), nil)
	pos := uuid.New()
	aggtest.WantErr(t, a.AssignPosition(pos, u["ws1"], "Approver", []Role{RoleApprover, RoleAuditor}), nil)
	h, a := commit(t, nil, a)
	if a.Version() != 3 || a.Changes() != nil {
		t.Fatalf("loaded at %d with %v", a.Version(), a.Changes())
	}
	aggtest.WantErr(t, a.VacatePosition(pos, &successor, "retired"), nil)
	changes := a.Changes()
	if err := event.ValidateAppend(a.Stream(), event.Exact(a.Version()), changes); err != nil || changes[0].ID.Version() != 7 {
		t.Fatalf("changes not ready to append: %v", err)
	}
	if got := string(changes[0].Data); got != `{"position_id":"`+pos.String()+`","successor_account_id":"`+successor.String()+`","reason":"retired"}` {
		t.Fatalf("payload %s", got)
	}
	aggtest.WantErr(t, a.Close("left"), nil)
	h, a = commit(t, h, a)
	seen := map[string]bool{}
	for _, r := range h {
		seen[r.Type] = true
	}
	for _, typ := range AccountEventTypes() {
		if !seen[typ] {
			t.Errorf("no %s", typ)
		}
	}
	if a.Stream() != "account-"+a.ID().String() {
		t.Fatal("stream name")
	}
	var p PositionAssigned
	if err := json.Unmarshal(h[2].Data, &p); err != nil || len(p.UnitPath) != 2 || p.Title != "Approver" {
		t.Fatalf("position.assigned %s", h[2].Data)
	}
}

var fuzzAccount = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000a1")

// FuzzLoadAccount feeds arbitrary payloads under valid type names: replaying
// must never panic, may only fail with fault.ErrHistory, and an account it
// accepts must answer and decide without panicking.
func FuzzLoadAccount(f *testing.F) {
	open := `{"account_id":"` + fuzzAccount.String() + `","login":"abc","name":"A","employee_id":"0196f7a0-0000-7000-8000-000000000002"}`
	pos := `{"position_id":"0196f7a0-0000-7000-8000-000000000003","unit_id":"0196f7a0-0000-7000-8000-000000000004","unit_path":[],"title":"t","roles":["approver"]}`
	for _, seed := range []struct {
		first, second string
		typ           uint8
		third         string
	}{
		{open, pos, 3, `{"position_id":"0196f7a0-0000-7000-8000-000000000003"}`},
		{open, pos, 4, `{"reason":"r"}`},
		{open, `{}`, 1, `{}`},
		{open, `{"roles":null,"unit_path":null}`, 2, `null`},
		{`null`, `[]`, 0, `"x"`},
	} {
		f.Add(seed.first, seed.second, seed.typ, seed.third)
	}
	types := AccountEventTypes()
	f.Fuzz(func(t *testing.T, first, second string, typ uint8, third string) {
		s := AccountStream(fuzzAccount)
		a, err := LoadAccount(fuzzAccount, []event.Recorded{aggtest.Rec(s, 1, TypeAccountOpened, first),
			aggtest.Rec(s, 2, TypePositionAssigned, second), aggtest.Rec(s, 3, aggtest.Pick(types, typ), third)})
		if aggtest.Refused(t, err) {
			return
		}
		for _, p := range a.ActivePositions() {
			ref := UnitRef{ID: p.UnitID, Path: p.UnitPath}
			for _, perm := range Permissions() {
				_, _ = a.Authorize(perm, ref)
			}
			_ = a.VacatePosition(p.ID, nil, "")
		}
		_ = a.IsEmployee(uuid.New())
		_ = a.Close("")
	})
}
