package query_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
	"aidtrail/internal/testkit/readmodeltest"
)

// The query side, not its caller, bounds every list to what the actor may
// see: a filter asking for more (another subtree in Within, another
// employee) gets only what the actor's positions show; an actor who may
// read nothing is refused.
func TestQueriesAreBoundedByTheActorsScope(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := orgkit.New(t, kind)
		runner := readmodeltest.Start(t, o.Env)
		q := readmodeltest.Query(t, o.Env)
		o.PublishHardship(t)
		east := o.Unit(t, o.Admin, "东站", "E", org.LevelStation, o.Root)
		west := o.Unit(t, o.Admin, "西站", "W", org.LevelStation, o.Root)
		_, eastWorker := o.SignUp(t, o.Admin, east, access.RoleCaseworker)
		_, westWorker := o.SignUp(t, o.Admin, west, access.RoleCaseworker)
		_, analyst := o.SignUp(t, o.Admin, west, access.RoleAnalyst)
		approver, _ := o.SignUp(t, o.Admin, o.Root, access.RoleApprover)
		o.HardshipFlow(t, o.Root, casework.FlowStep{Name: "路局审批", AssigneeAccountID: approver})
		eastCase := o.SubmittedCase(t, eastWorker, east, orgkit.GrantFen)
		westCase := o.SubmittedCase(t, westWorker, west, orgkit.GrantFen)
		o.Budget(t, east, 2026, "aid.hardship", 10*orgkit.GrantFen)
		o.Budget(t, west, 2026, "aid.hardship", 10*orgkit.GrantFen)
		readmodeltest.CaughtUp(t, o.Env, runner)

		wide := []uuid.UUID{o.Root}
		rows, _, err := q.Cases(ctx, eastWorker, query.CaseFilter{Within: wide})
		if err != nil || len(rows) != 1 || rows[0].CaseID != eastCase {
			t.Errorf("east caseworker asking for the root's subtree got %v, %v; want only the east case", rows, err)
		}
		rows, _, err = q.Cases(ctx, o.Admin, query.CaseFilter{})
		if err != nil || len(rows) != 2 {
			t.Errorf("the bureau administrator got %d cases, %v; want both", len(rows), err)
		}
		rows, _, err = q.Cases(ctx, eastWorker, query.CaseFilter{UnitIDs: []uuid.UUID{west}})
		if err != nil || len(rows) != 0 {
			t.Errorf("east caseworker asking for the west station got %v, %v; want nothing", rows, err)
		}
		if rows, _, err = q.Cases(ctx, westWorker, query.CaseFilter{}); err != nil || len(rows) != 1 || rows[0].CaseID != westCase {
			t.Errorf("west caseworker got %v, %v; want only the west case", rows, err)
		}

		budgets, _, err := q.Budgets(ctx, eastWorker, query.BudgetFilter{Within: wide})
		if !errors.Is(err, access.ErrForbidden) {
			t.Errorf("a caseworker listing budgets got %v, %v; want forbidden", budgets, err)
		}
		budgets, _, err = q.Budgets(ctx, analyst, query.BudgetFilter{Within: wide})
		if err != nil || len(budgets) != 1 || budgets[0].UnitID != west {
			t.Errorf("west analyst asking for the root's subtree got %v, %v; want only the west budget", budgets, err)
		}

		if _, err := q.Stats(ctx, analyst, east, query.StatsRequest{}); !errors.Is(err, access.ErrForbidden) {
			t.Errorf("west analyst reading the east station's statistics: %v, want forbidden", err)
		}
		figures, err := q.Stats(ctx, analyst, uuid.Nil, query.StatsRequest{Scope: o.Root})
		if err != nil || len(figures) != 1 || figures[0].Cases != 1 {
			t.Errorf("west analyst asking for the root's statistics got %v, %v; want the west station's one case", figures, err)
		}
	})
}
