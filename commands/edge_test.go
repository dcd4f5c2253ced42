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

// A keyed command whose answer was lost (the process died after the
// commit, before the answer was kept) and that runs again has still one
// effect: the ids it creates come from the key.
func TestKeyedCommandRunTwiceHasOneEffect(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newOrg(t, "postgres")
	actor := f.admin
	actor.IdempotencyKey, actor.CommandID = "establish-dtx", "establish-dtx"
	cmd := commands.EstablishUnit{Name: "大同西供电段", Code: "DTX", Level: org.LevelStation, ParentID: f.root}
	id, first, err := f.env.App.EstablishUnit(ctx, actor, cmd)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := f.env.App.EstablishUnit(ctx, actor, cmd)
	if err == nil || again != id {
		t.Fatalf("the re-run: id %s (first %s), err %v; want the same id and a refusal", again, id, err)
	}
	events, err := f.env.Store.ReadAll(ctx, first.Position, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Type == org.TypeUnitEstablished {
			t.Fatalf("the re-run established another unit: %+v", e)
		}
	}
}
