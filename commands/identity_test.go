package commands_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

// org is a small organisation built through the commands: a root bureau,
// a station under it, an administrator of the root and a caseworker of the
// station, each signed in.
type orgFixture struct {
	env               *apptest.Env
	root, station     uuid.UUID
	admin, caseworker commands.Actor
	adminID, workerID uuid.UUID
	workerPosition    uuid.UUID
}

func newOrg(t *testing.T, kind string) *orgFixture { return newOrgTB(t, kind) }

func newOrgTB(t testing.TB, kind string) *orgFixture {
	t.Helper()
	ctx := t.Context()
	env := apptest.New(t, kind)
	f := &orgFixture{env: env}
	boot, err := env.App.Authenticate(ctx, env.BootstrapToken)
	if err != nil {
		t.Fatalf("bootstrap token: %v", err)
	}
	f.root, _, err = env.App.EstablishUnit(ctx, boot, commands.EstablishUnit{Name: "太原铁路局", Code: "TYJ", Level: org.LevelBureau})
	if err != nil {
		t.Fatalf("establish root: %v", err)
	}
	f.adminID, f.admin = signUp(t, env, boot, f.root, "admin", []access.Role{access.RoleBureauAdmin})
	if _, err := env.App.Authenticate(ctx, env.BootstrapToken); !errors.Is(err, commands.ErrUnauthenticated) {
		t.Fatalf("bootstrap token after the first administrator: %v, want ErrUnauthenticated", err)
	}
	f.station, _, err = env.App.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "太原站", Code: "TYZ", Level: org.LevelStation, ParentID: f.root})
	if err != nil {
		t.Fatalf("establish station: %v", err)
	}
	f.workerID, f.caseworker = signUp(t, env, f.admin, f.station, "worker", []access.Role{access.RoleCaseworker})
	positions := accountPositions(t, env, f.workerID)
	f.workerPosition = positions[0].ID
	return f
}

// signUp opens an account with a position and signs it in.
func signUp(t testing.TB, env *apptest.Env, by commands.Actor, unit uuid.UUID, login string, roles []access.Role) (uuid.UUID, commands.Actor) {
	t.Helper()
	ctx := t.Context()
	id, _, err := env.App.OpenAccount(ctx, by, commands.OpenAccount{Login: login, Password: "correct horse battery", Name: login})
	if err != nil {
		t.Fatalf("open account %s: %v", login, err)
	}
	if _, _, err := env.App.AssignPosition(ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: "干事", Roles: roles}); err != nil {
		t.Fatalf("assign %s: %v", login, err)
	}
	signed, err := env.App.Login(ctx, commands.Login{Login: login, Password: "correct horse battery"})
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	actor, err := env.App.Authenticate(ctx, signed.Token)
	if err != nil {
		t.Fatalf("authenticate %s: %v", login, err)
	}
	return id, actor
}

func accountPositions(t testing.TB, env *apptest.Env, id uuid.UUID) []access.Position {
	t.Helper()
	history, err := env.Store.ReadStream(t.Context(), access.AccountStream(id), 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := access.LoadAccount(id, history)
	if err != nil {
		t.Fatal(err)
	}
	return a.ActivePositions()
}

func register(ctx context.Context, env *apptest.Env, by commands.Actor, unit uuid.UUID) (uuid.UUID, commands.Written, error) {
	return env.App.RegisterEmployee(ctx, by, commands.RegisterEmployee{
		UnitID: unit, Name: "张伟", IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445",
		Family: []commands.FamilyMember{{Relation: org.RelationChild, Name: "张小明", BirthDate: "2008-09-01"}},
	})
}

// Invariant 5: a vacated position's rights end with the vacate event. In
// each round the caseworker registers an employee with their position
// while an administrator vacates it; the registration either comes before
// the vacate event in the log or fails.
func TestVacateRacesUse(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		rounds := 100
		if testing.Short() {
			rounds = 20
		}
		var won, lost int
		for round := range rounds {
			position := f.workerPosition
			if round > 0 {
				var err error
				position, _, err = f.env.App.AssignPosition(ctx, f.admin, commands.AssignPosition{
					AccountID: f.workerID, UnitID: f.station, Title: "干事", Roles: []access.Role{access.RoleCaseworker}})
				if err != nil {
					t.Fatalf("round %d: reassign: %v", round, err)
				}
			}
			var u, v struct {
				w   commands.Written
				err error
			}
			atOnce(2, func(i int) {
				if i == 0 {
					_, u.w, u.err = register(ctx, f.env, f.caseworker, f.station)
					return
				}
				_, v.w, v.err = f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: f.workerID, PositionID: position})
			})
			if v.err != nil {
				t.Fatalf("round %d: vacate: %v", round, v.err)
			}
			switch {
			case u.err == nil && u.w.Position < v.w.Position:
				won++
			case u.err == nil:
				t.Fatalf("round %d: registration at position %d succeeded after the vacate at %d", round, u.w.Position, v.w.Position)
			case errors.Is(u.err, access.ErrForbidden) || errors.Is(u.err, event.ErrConcurrency):
				lost++
			default:
				t.Fatalf("round %d: registration failed with %v, want forbidden or a conflict", round, u.err)
			}
		}
		t.Logf("%s: the use came first in %d rounds and was refused in %d", kind, won, lost)
	})
}
