package access_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/org"
)

// The command layer builds UnitRefs from org units; this is the only place
// the two packages meet, and only in a test.
func TestRefOfOrgUnit(t *testing.T) {
	t.Parallel()
	root, err := org.Establish(uuid.New(), "Bureau", "B", org.LevelBureau, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.Establish(uuid.New(), "Station", "S", org.LevelStation, root)
	if err != nil {
		t.Fatal(err)
	}
	ref := access.RefOf(st)
	if ref.ID != st.ID() || len(ref.Path) != 1 || ref.Path[0] != root.ID() || ref.Closed {
		t.Fatalf("ref %+v", ref)
	}
	a, err := access.OpenAccount(uuid.New(), "admin", "Admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AssignPosition(uuid.New(), access.RefOf(root), "Chair", []access.Role{access.RoleBureauAdmin}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authorize(access.PermOrgManage, ref); err != nil {
		t.Fatal(err)
	}
	if err := org.CloseUnit(st, root, ""); err != nil {
		t.Fatal(err)
	}
	err = a.AssignPosition(uuid.New(), access.RefOf(st), "Officer", []access.Role{access.RoleCaseworker})
	if err == nil || !errors.Is(err, access.ErrUnitClosed) {
		t.Fatalf("assigned at a closed unit: %v", err)
	}
}
