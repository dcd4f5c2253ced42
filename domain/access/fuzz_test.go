package access

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

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
		history := []event.Recorded{
			{Stream: s, Version: 1, Type: TypeAccountOpened, Data: json.RawMessage(first)},
			{Stream: s, Version: 2, Type: TypePositionAssigned, Data: json.RawMessage(second)},
			{Stream: s, Version: 3, Type: types[int(typ)%len(types)], Data: json.RawMessage(third)},
		}
		a, err := LoadAccount(fuzzAccount, history)
		if err != nil {
			if !errors.Is(err, fault.ErrHistory) {
				t.Fatalf("error %v is not fault.ErrHistory", err)
			}
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
