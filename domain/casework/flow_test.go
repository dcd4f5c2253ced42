package casework

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

func commitFlow(t *testing.T, history []event.Recorded, f *Flow) ([]event.Recorded, *Flow) {
	t.Helper()
	for _, e := range f.Changes() {
		history = append(history, event.Recorded{ID: e.ID, Stream: f.Stream(), Version: int64(len(history) + 1), Type: e.Type, Data: e.Data})
	}
	got, err := LoadFlow(f.UnitID(), f.Category(), history)
	if err != nil {
		t.Fatal(err)
	}
	if got.ver != f.ver || !reflect.DeepEqual(got.steps, f.steps) {
		t.Fatalf("round trip: got %+v, want %+v", got.steps, f.steps)
	}
	return history, got
}

func TestConfigureFlowRules(t *testing.T) {
	t.Parallel()
	a, b := uuid.New(), uuid.New()
	many := make([]FlowStep, MaxFlowSteps+1)
	for i := range many {
		many[i] = FlowStep{Name: "s" + string(rune('a'+i)), AssigneeAccountID: uuid.New()}
	}
	tests := []struct {
		field    string
		category string
		steps    []FlowStep
	}{
		{"category", "Medical", []FlowStep{{Name: "x", AssigneeAccountID: a}}},
		{"category", "med-ical", []FlowStep{{Name: "x", AssigneeAccountID: a}}},
		{"steps", "medical", nil},
		{"steps", "medical", many},
		{"steps[0].name", "medical", []FlowStep{{Name: "  ", AssigneeAccountID: a}}},
		{"steps[0].name", "medical", []FlowStep{{Name: strings.Repeat("审", MaxStepNameRunes+1), AssigneeAccountID: a}}},
		{"steps[1].name", "medical", []FlowStep{{Name: "x", AssigneeAccountID: a}, {Name: " x ", AssigneeAccountID: b}}},
		{"steps[0].assignee_account_id", "medical", []FlowStep{{Name: "x"}}},
		{"steps[1].assignee_account_id", "medical", []FlowStep{{Name: "x", AssigneeAccountID: a}, {Name: "y", AssigneeAccountID: a}}},
		{"steps[0].min_amount_fen", "medical", []FlowStep{{Name: "x", AssigneeAccountID: a, MinAmountFen: -1}}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			_, err := ConfigureFlow(uuid.New(), tt.category, tt.steps)
			wantField(t, err, tt.field)
		})
	}
	_, err := ConfigureFlow(uuid.Nil, "medical", []FlowStep{{Name: "x", AssigneeAccountID: a}})
	wantField(t, err, "unit_id")
}

func TestFlowVersions(t *testing.T) {
	t.Parallel()
	unit, a, b := uuid.New(), uuid.New(), uuid.New()
	f, err := ConfigureFlow(unit, "medical", []FlowStep{{Name: " review ", AssigneeAccountID: a}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Stream() != "flow-"+unit.String()+"-medical" {
		t.Fatal(f.Stream())
	}
	history, f := commitFlow(t, nil, f)
	if f.FlowVersion() != 1 || f.Steps()[0].Name != "review" || f.Version() != 1 {
		t.Fatalf("%+v", f.Steps())
	}
	if err := f.Configure([]FlowStep{{Name: "review", AssigneeAccountID: a}}); err != nil || len(f.Changes()) != 0 {
		t.Fatal("the same configuration again recorded something")
	}
	if err := f.Configure([]FlowStep{{Name: "review", AssigneeAccountID: a}, {Name: "chair", AssigneeAccountID: b, MinAmountFen: 500_000}}); err != nil {
		t.Fatal(err)
	}
	history, f = commitFlow(t, history, f)
	if f.FlowVersion() != 2 || len(f.Steps()) != 2 {
		t.Fatal(f.FlowVersion())
	}
	// A stream that skips a version, or belongs elsewhere, does not replay.
	bad := append([]event.Recorded(nil), history...)
	bad[1].Data = []byte(`{"unit_id":"` + unit.String() + `","category":"medical","version":3,"steps":[{"name":"x","assignee_account_id":"` + a.String() + `"}]}`)
	if _, err := LoadFlow(unit, "medical", bad); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("got %v", err)
	}
	if _, err := LoadFlow(unit, "education", history); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("got %v", err)
	}
	if _, err := LoadFlow(unit, "medical", nil); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	team, workshop, station, bureau := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	flow := func(unit uuid.UUID) *Flow {
		f, err := ConfigureFlow(unit, "medical", []FlowStep{{Name: "x", AssigneeAccountID: uuid.New()}})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	path := []uuid.UUID{team, workshop, station, bureau}
	flows := map[uuid.UUID]*Flow{workshop: nil, station: flow(station), bureau: flow(bureau)}
	if f, ok := Nearest(flows, path); !ok || f.UnitID() != station {
		t.Fatal("the station's flow governs the team")
	}
	flows[team] = flow(team)
	if f, ok := Nearest(flows, path); !ok || f.UnitID() != team {
		t.Fatal("the team's own flow governs it")
	}
	if _, ok := Nearest(map[uuid.UUID]*Flow{}, path); ok {
		t.Fatal("no flow on the path")
	}
}
