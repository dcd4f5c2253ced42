package commands_test

import (
	"errors"
	"testing"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

// A unit without its own flow is governed by its nearest ancestor's, and
// its own flow, once configured, takes over. Steps go to named approvers
// only.
func TestFlowOfTheNearestAncestor(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		app := f.env.App
		bureauApprover, _ := signUp(t, f.env, f.admin, f.root, "approver.root", []access.Role{access.RoleApprover})
		stationApprover, _ := signUp(t, f.env, f.admin, f.station, "approver.station", []access.Role{access.RoleApprover})
		workshop, _, err := app.EstablishUnit(ctx, f.admin, commands.EstablishUnit{Name: "客运车间", Code: "TYZ-KY", Level: org.LevelWorkshop, ParentID: f.station})
		if err != nil {
			t.Fatal(err)
		}
		rootSteps := []casework.FlowStep{{Name: "路局审批", AssigneeAccountID: bureauApprover, MinAmountFen: 0}}
		if v, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.root, Category: "medical", Steps: rootSteps}); err != nil || v != 1 {
			t.Fatalf("configure the root's flow: %d %v", v, err)
		}
		got, err := f.env.Query.GetFlow(ctx, f.caseworker, workshop, "medical")
		if err != nil || got.UnitID != f.root || !got.Inherited || got.FlowVersion != 1 || len(got.Steps) != 1 || got.Steps[0].AssigneeAccountID != bureauApprover {
			t.Fatalf("the workshop's flow before the station has one: %+v %v", got, err)
		}
		// The station's own flow may name approvers of the station and of the bureau above it.
		stationSteps := []casework.FlowStep{
			{Name: "站初审", AssigneeAccountID: stationApprover, MinAmountFen: 0},
			{Name: "路局复审", AssigneeAccountID: bureauApprover, MinAmountFen: 500_000},
		}
		if _, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "medical", Steps: stationSteps}); err != nil {
			t.Fatal(err)
		}
		got, err = f.env.Query.GetFlow(ctx, f.caseworker, workshop, "medical")
		if err != nil || got.UnitID != f.station || !got.Inherited || len(got.Steps) != 2 || got.Steps[1].MinAmountFen != 500_000 {
			t.Errorf("the workshop's flow after the station's: %+v %v", got, err)
		}
		if got, err = f.env.Query.GetFlow(ctx, f.caseworker, f.station, "medical"); err != nil || got.Inherited || got.Version != 1 {
			t.Errorf("the station's own flow: %+v %v", got, err)
		}
		if _, err := f.env.Query.GetFlow(ctx, f.caseworker, workshop, "education"); !errors.Is(err, commands.ErrNotFound) {
			t.Errorf("a category without any flow: %v, want ErrNotFound", err)
		}

		// The root's flow may not name the station's approver: the root is above the station.
		bad := []casework.FlowStep{{Name: "审批", AssigneeAccountID: stationApprover}}
		var v *fault.ValidationError
		if _, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.root, Category: "hardship", Steps: bad}); !errors.As(err, &v) || v.Field != "steps[0].assignee_account_id" {
			t.Errorf("an approver below the unit: %v", err)
		}
		bad[0].AssigneeAccountID = f.workerID
		if _, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "hardship", Steps: bad}); !errors.As(err, &v) || v.Field != "steps[0].assignee_account_id" {
			t.Errorf("a caseworker as approver: %v", err)
		}
		if _, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "housing", Steps: stationSteps}); !errors.As(err, &v) || v.Field != "category" {
			t.Errorf("an unknown category: %v", err)
		}
		if _, _, err := app.ConfigureFlow(ctx, f.caseworker, commands.ConfigureFlow{UnitID: f.station, Category: "hardship", Steps: stationSteps}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker configuring: %v, want ErrForbidden", err)
		}
		if _, _, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "medical", Steps: rootSteps, IfMatch: 2}); !errors.Is(err, event.ErrConcurrency) {
			t.Errorf("a stale If-Match: %v, want ErrConcurrency", err)
		}
		if v, w, err := app.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "medical", Steps: stationSteps, IfMatch: 1}); err != nil || v != 1 || w.Position != 0 {
			t.Errorf("the same steps again: %d %v %v, want version 1 and nothing written", v, w, err)
		}
	})
}
