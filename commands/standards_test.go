package commands_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/internal/testkit/apptest"
)

// The whole sample catalogue is published and read back, in publication
// order, by staff and by the bootstrap-free administrator alike.
func TestPublishSampleCatalogueAndList(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		sample := catalogue.SampleCatalogue(f.root)
		for _, def := range sample {
			if _, err := f.env.App.PublishStandard(ctx, f.admin, commands.PublishStandard{Definition: def}); err != nil {
				t.Fatalf("publish %s: %v", def.Code, err)
			}
		}
		list, err := f.env.Query.ListStandards(ctx, f.caseworker)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(sample) {
			t.Fatalf("listed %d standards, published %d", len(list), len(sample))
		}
		for i, v := range list {
			want := sample[i]
			want.Version = 1
			if !reflect.DeepEqual(normalised(t, v.Definition), normalised(t, want)) || v.Versions != 1 || v.Retired || v.Version != 1 {
				t.Errorf("item %d = %+v, want %+v", i, v, want)
			}
		}
		if _, err := f.env.App.PublishStandard(ctx, f.admin, commands.PublishStandard{Definition: sample[0]}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("publishing %s twice: %v, want ErrConflict", sample[0].Code, err)
		}
		own := sample[1]
		own.Code, own.OwnerUnitID = "ZX-OWN", f.station
		if _, err := f.env.App.PublishStandard(ctx, f.caseworker, commands.PublishStandard{Definition: own}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker publishing: %v, want ErrForbidden", err)
		}
		if _, err := f.env.App.PublishStandard(ctx, f.admin, commands.PublishStandard{Definition: own}); err != nil {
			t.Fatalf("a station's own programme: %v", err)
		}
		if list, _ = f.env.Query.ListStandards(ctx, f.admin); len(list) != len(sample)+1 || list[len(sample)].Definition.OwnerUnitID != f.station {
			t.Errorf("after the station's programme the list has %d items", len(list))
		}
	})
}

// normalised is def as the API renders it, so that nil and empty lists
// compare equal.
func normalised(t *testing.T, def catalogue.Definition) string {
	t.Helper()
	raw, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// A revision is the standard's next version; earlier versions stay
// readable, the same definition again writes nothing, and a revision on a
// stale view is refused.
func TestReviseKeepsEarlierVersions(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		def := catalogue.SampleCatalogue(f.root)[3]
		if _, err := f.env.App.PublishStandard(ctx, f.admin, commands.PublishStandard{Definition: def}); err != nil {
			t.Fatal(err)
		}
		next := def
		next.Name, next.AnnualCapFen, next.OwnerUnitID = def.Name+"（2027年版）", def.AnnualCapFen*2, uuid.Nil
		if w, err := f.env.App.ReviseStandard(ctx, f.admin, commands.ReviseStandard{Code: def.Code, Definition: next, IfMatch: 1}); err != nil || w.Position == 0 {
			t.Fatalf("revise: %v %v", w, err)
		}
		if w, err := f.env.App.ReviseStandard(ctx, f.admin, commands.ReviseStandard{Code: def.Code, Definition: next}); err != nil || w.Position != 0 {
			t.Errorf("the same revision again: %v %v, want nothing written", w, err)
		}
		if _, err := f.env.App.ReviseStandard(ctx, f.admin, commands.ReviseStandard{Code: def.Code, Definition: def, IfMatch: 1}); !errors.Is(err, event.ErrConcurrency) {
			t.Errorf("a revision on version 1 after version 2: %v, want ErrConcurrency", err)
		}
		if _, err := f.env.App.ReviseStandard(ctx, f.caseworker, commands.ReviseStandard{Code: def.Code, Definition: def}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker revising: %v, want ErrForbidden", err)
		}
		old, err := f.env.Query.GetStandard(ctx, f.caseworker, def.Code, 1)
		if err != nil || old.Definition.Name != def.Name || old.Definition.AnnualCapFen != def.AnnualCapFen || old.Definition.Version != 1 {
			t.Errorf("version 1: %+v %v", old.Definition, err)
		}
		cur, err := f.env.Query.GetStandard(ctx, f.caseworker, def.Code, 0)
		if err != nil || cur.Definition.Name != next.Name || cur.Definition.Version != 2 || cur.Versions != 2 || cur.Definition.OwnerUnitID != f.root {
			t.Errorf("current: %+v %v", cur, err)
		}
		if _, err := f.env.Query.GetStandard(ctx, f.caseworker, def.Code, 3); !errors.Is(err, commands.ErrNotFound) {
			t.Errorf("version 3: %v, want ErrNotFound", err)
		}
		if _, err := f.env.App.ReviseStandard(ctx, f.admin, commands.ReviseStandard{Code: "NOPE-1", Definition: def}); !errors.Is(err, commands.ErrNotFound) {
			t.Errorf("revising an unknown code: %v, want ErrNotFound", err)
		}
	})
}
