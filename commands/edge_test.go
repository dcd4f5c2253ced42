package commands_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
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
	if !errors.Is(err, fault.ErrInvalid) {
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

// Invariant 4: a keyed command whose answer was lost (the process died
// after the commit, before the answer was kept) and that runs again
// answers exactly as the first run did, and has still one effect: the
// same unit, the same position, no error, no second unit.
func TestKeyedCommandRunTwiceHasOneEffect(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		actor := keyed(f.admin, "establish-dtx")
		cmd := commands.EstablishUnit{Name: "大同西供电段", Code: "DTX", Level: org.LevelStation, ParentID: f.root}
		id, first, err := f.env.App.EstablishUnit(ctx, actor, cmd)
		if err != nil {
			t.Fatal(err)
		}
		// Other commands move the unit's parent and the store on.
		if _, _, err := f.env.App.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "大同站", Code: "DTZ", Level: org.LevelStation, ParentID: f.root}); err != nil {
			t.Fatal(err)
		}
		again, second, err := f.env.App.EstablishUnit(ctx, actor, cmd)
		if err != nil || again != id || second != first {
			t.Fatalf("the re-run answered %s %+v %v; the first run answered %s %+v <nil>", again, second, err, id, first)
		}
		checkOneUnitEstablished(t, f, id)
	})
}

// Invariant 4 under racing retries: the same keyed command sent eight
// times at once answers the same everywhere, with one effect.
func TestKeyedCommandRacingItselfAnswersOnce(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		actor := keyed(f.admin, "establish-dtb")
		cmd := commands.EstablishUnit{Name: "大同北站", Code: "DTB", Level: org.LevelStation, ParentID: f.root}
		const n = 8
		ids, written, errs := make([]uuid.UUID, n), make([]commands.Written, n), make([]error, n)
		atOnce(n, func(i int) { ids[i], written[i], errs[i] = f.env.App.EstablishUnit(ctx, actor, cmd) })
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] || written[i] != written[0] {
				t.Fatalf("run %d answered %s %+v %v; run 0 answered %s %+v %v", i, ids[i], written[i], errs[i], ids[0], written[0], errs[0])
			}
		}
		checkOneUnitEstablished(t, f, ids[0])
	})
}

// A keyed command that answers more than ids and a position (the
// hand-overs of a vacate) and that was checked against a version the
// caller saw answers its re-run from the record of its first run, though
// deciding again would now be refused.
func TestKeyedVacateRunTwiceAnswersTheSameHandOvers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "postgres", 5*grantFen)
	id := f.caseAwaitingFinalApproval(t)
	successorID, _ := signUp(t, f.env, f.admin, f.station, "approver3", []access.Role{access.RoleApprover})
	a2 := f.approver2.AccountID
	actor := keyed(f.admin, "vacate-a2")
	cmd := commands.VacatePosition{AccountID: a2, PositionID: accountPositions(t, f.env, a2)[0].ID, SuccessorID: &successorID, Reason: "调离"}
	handed, first, err := f.env.App.VacatePosition(ctx, actor, cmd)
	if err != nil || len(handed) != 1 || handed[0].CaseID != id {
		t.Fatalf("vacate: %+v %v", handed, err)
	}
	if _, _, err := f.env.App.VacatePosition(ctx, f.admin, cmd); err == nil {
		t.Fatal("vacating the vacated position again without the key succeeded")
	}
	again, second, err := f.env.App.VacatePosition(ctx, actor, cmd)
	if err != nil || second != first || !reflect.DeepEqual(again, handed) {
		t.Fatalf("the re-run answered %+v %+v %v; the first run answered %+v %+v <nil>", again, second, err, handed, first)
	}
}

// keyed is actor sending its command with Idempotency-Key key.
func keyed(actor commands.Actor, key string) commands.Actor {
	actor.IdempotencyKey, actor.CommandID = key, key
	return actor
}

// checkOneUnitEstablished fails t unless exactly one unit.established
// event exists for id.
func checkOneUnitEstablished(t *testing.T, f *orgFixture, id uuid.UUID) {
	t.Helper()
	events, err := f.env.Store.ReadAll(t.Context(), 0, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Type == org.TypeUnitEstablished && e.Stream == org.UnitStream(id) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("unit %s established %d times, want once", id, n)
	}
}
