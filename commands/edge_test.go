package commands_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

func TestCommandsAtTheEdges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newOrg(t, "sqlite")

	head := func() int64 {
		h, err := f.env.Store.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	before := head()
	if w, err := f.env.App.RenameUnit(ctx, f.admin, commands.RenameUnit{UnitID: f.station, Name: "太原站"}); err != nil || w.Position != 0 {
		t.Fatalf("renaming to the same name: %+v, %v; want success writing nothing", w, err)
	}
	if head() != before {
		t.Fatal("a rename to the same name wrote events")
	}

	_, _, err := f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: f.workerID, PositionID: uuid.New()})
	if !errors.Is(err, access.ErrPositionNotFound) {
		t.Fatalf("vacating a position that never existed: %v, want ErrPositionNotFound", err)
	}

	// A refused registration leaves neither events nor a personal key.
	before = head()
	_, _, err = f.env.App.RegisterEmployee(ctx, f.caseworker, commands.RegisterEmployee{
		UnitID: f.station, Name: "李娜", IDNumber: "11010519491231002X",
		Family: []commands.FamilyMember{{Relation: org.RelationChild, Name: "李小红", BirthDate: "2999-01-01"}},
	})
	if !errors.Is(err, event.ErrInvalid) {
		t.Fatalf("a birth date in the future: %v, want ErrInvalid", err)
	}
	if head() != before {
		t.Fatal("a refused registration wrote events")
	}
	var keys int
	if err := f.env.DB.QueryRow(ctx, "SELECT count(*) FROM personal_keys").Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if keys != 0 {
		t.Fatalf("a refused registration left %d personal keys", keys)
	}
	if found, err := keyring.ScanForText(ctx, f.env.DB, []string{"李娜", "李小红"}); err != nil || len(found) != 0 {
		t.Fatalf("plaintext of a refused registration is stored: %v %v", found, err)
	}
}
