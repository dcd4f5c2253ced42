package casework

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
	"aidtrail/domain/internal/text"
)

// FlowStream names the stream of unit's approval flow for category:
// "flow-<unit uuid>-<category>". Categories hold no "-", so the name stays
// unambiguous. Stored names are chosen once; never change this.
func FlowStream(unit uuid.UUID, category string) string {
	return "flow-" + unit.String() + "-" + category
}

// TypeFlowConfigured is the one event type of a flow stream. It is stored;
// never rename it.
const TypeFlowConfigured = "flow.configured"

// FlowStep is one node of an approval flow: Name, assigned by name to
// AssigneeAccountID, applying to a case whose amount is at least
// MinAmountFen and skipped otherwise.
type FlowStep struct {
	Name              string    `json:"name"`
	AssigneeAccountID uuid.UUID `json:"assignee_account_id"`
	MinAmountFen      int64     `json:"min_amount_fen"`
}

// FlowConfigured is the payload of flow.configured: the whole step list of
// configuration Version (1, 2, ...) of the unit's flow for Category.
type FlowConfigured struct {
	UnitID   uuid.UUID  `json:"unit_id"`
	Category string     `json:"category"`
	Version  int        `json:"version"`
	Steps    []FlowStep `json:"steps"`
}

// Flow is the approval flow (审批流程) a unit configures for one category of
// aid. Each configuration is a new version; a case keeps the version it was
// submitted under. Create one with ConfigureFlow, rebuild one with
// LoadFlow; the zero value is not usable. Not safe for concurrent use.
type Flow struct {
	unit     uuid.UUID
	category string
	ver      int
	steps    []FlowStep
	agg.Root
}

// ConfigureFlow records the first flow.configured of unit's flow for
// category. Rules: a non-nil unit; a category of 1..32 [a-z0-9_]; 1..10
// steps with names of 1..50 characters, distinct; assignees non-nil and
// distinct (one person never holds two steps); min_amount_fen 0 or more.
// Names are trimmed.
func ConfigureFlow(unit uuid.UUID, category string, steps []FlowStep) (*Flow, error) {
	if unit == uuid.Nil {
		return nil, invalid("unit_id", "is required")
	}
	if err := text.CheckCode("category", category, MaxCodeLen, false); err != nil {
		return nil, err
	}
	f := &Flow{unit: unit, category: category}
	return f, f.Configure(steps)
}

// Configure records flow.configured with the next version and the whole
// new step list, under the rules of ConfigureFlow. Configuring the current
// list again records nothing. Cases already submitted keep their version.
func (f *Flow) Configure(steps []FlowStep) error {
	clean, err := checkFlowSteps(steps)
	if err != nil || f.ver > 0 && slices.Equal(clean, f.steps) {
		return err
	}
	return agg.Record(&f.Root, f.apply, TypeFlowConfigured, FlowConfigured{UnitID: f.unit, Category: f.category, Version: f.ver + 1, Steps: clean})
}

func checkFlowSteps(steps []FlowStep) ([]FlowStep, error) {
	if len(steps) == 0 || len(steps) > MaxFlowSteps {
		return nil, invalid("steps", "must hold 1 to %d steps", MaxFlowSteps)
	}
	clean := make([]FlowStep, len(steps))
	names := map[string]bool{}
	assignees := map[uuid.UUID]bool{}
	for i, s := range steps {
		field := func(name string) string { return fmt.Sprintf("steps[%d].%s", i, name) }
		name, err := text.Clean(field("name"), s.Name, 1, MaxStepNameRunes)
		if err != nil {
			return nil, err
		}
		switch {
		case names[name]:
			return nil, invalid(field("name"), "repeats the name of an earlier step")
		case s.AssigneeAccountID == uuid.Nil:
			return nil, invalid(field("assignee_account_id"), "is required")
		case assignees[s.AssigneeAccountID]:
			return nil, invalid(field("assignee_account_id"), "already holds an earlier step: one person may not hold two steps")
		}
		if err := checkAmount(field("min_amount_fen"), s.MinAmountFen, true); err != nil {
			return nil, err
		}
		names[name], assignees[s.AssigneeAccountID] = true, true
		clean[i] = FlowStep{Name: name, AssigneeAccountID: s.AssigneeAccountID, MinAmountFen: s.MinAmountFen}
	}
	return clean, nil
}

// LoadFlow rebuilds unit's flow for category from its whole stream. An
// empty history is event.ErrNotFound; an event it cannot apply is a
// *fault.HistoryError.
func LoadFlow(unit uuid.UUID, category string, history []event.Recorded) (*Flow, error) {
	f := &Flow{unit: unit, category: category}
	return agg.Load(f, FlowStream(unit, category), history, f.apply)
}

func (f *Flow) apply(typ string, data json.RawMessage) error {
	if typ != TypeFlowConfigured {
		return agg.Unknown(typ)
	}
	return agg.On(data, func(p FlowConfigured) error {
		switch {
		case p.UnitID != f.unit || p.Category != f.category:
			return errors.New("unit_id or category is not the stream's")
		case p.Version != f.ver+1:
			return fmt.Errorf("version %d does not follow %d", p.Version, f.ver)
		case len(p.Steps) == 0:
			return errors.New("no steps")
		}
		f.ver, f.steps = p.Version, p.Steps
		return nil
	})
}

// UnitID returns the unit the flow belongs to.
func (f *Flow) UnitID() uuid.UUID { return f.unit }

// Category returns the category of aid the flow serves.
func (f *Flow) Category() string { return f.category }

// Stream returns FlowStream(f.UnitID(), f.Category()).
func (f *Flow) Stream() string { return FlowStream(f.unit, f.category) }

// Steps returns a copy of the current configuration's steps, in order.
func (f *Flow) Steps() []FlowStep { return slices.Clone(f.steps) }

// FlowVersion returns the current configuration's number, 1 for the first:
// what a case records as flow_version.
func (f *Flow) FlowVersion() int { return f.ver }

// Nearest picks the flow that governs a unit: the first configured flow
// found walking pathFromUnitToRoot (the unit itself first, the root last).
// flows holds the flows the caller loaded, by unit; a unit without its own
// flow may be absent or nil. It reports false when no unit on the path has
// one.
func Nearest(flows map[uuid.UUID]*Flow, pathFromUnitToRoot []uuid.UUID) (*Flow, bool) {
	for _, id := range pathFromUnitToRoot {
		if f := flows[id]; f != nil && f.ver > 0 {
			return f, true
		}
	}
	return nil, false
}
