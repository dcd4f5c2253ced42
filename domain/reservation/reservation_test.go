package reservation

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

func TestOwnerOf(t *testing.T) {
	t.Parallel()
	owner := uuid.New()
	claim := Event(owner)
	got, ok, err := OwnerOf([]event.Recorded{{ID: claim.ID, Type: claim.Type, Data: claim.Data, Position: 7}})
	if err != nil || !ok || got != owner {
		t.Fatalf("OwnerOf(a claim of %s) = %s %v %v", owner, got, ok, err)
	}
	if _, ok, err := OwnerOf(nil); ok || err != nil {
		t.Fatalf("OwnerOf(no events) = %v %v, want free and no error", ok, err)
	}
	for name, bad := range map[string]event.Event{
		"other type": {ID: event.NewID(), Type: "unit.established", Data: claim.Data},
		"no owner":   {ID: event.NewID(), Type: TypeReserved, Data: []byte(`{}`)},
		"not JSON":   {ID: event.NewID(), Type: TypeReserved, Data: []byte(`{`)},
	} {
		if _, _, err := OwnerOf([]event.Recorded{{ID: bad.ID, Type: bad.Type, Data: bad.Data}}); err == nil {
			t.Errorf("%s: OwnerOf accepted %s", name, bad.Data)
		}
	}
}
