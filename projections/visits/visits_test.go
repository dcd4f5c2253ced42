package visits_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/org"
	"aidtrail/domain/visit"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
	"aidtrail/projections/budgets"
	"aidtrail/projections/units"
	"aidtrail/projections/visits"
)

// Visits registered and corrected through the application: the list says
// what each visit's stream folds to, the budgets read model what the
// budget aggregate says, and the list rebuilt from position 0 equals the
// one built as the history grew.
func TestVisitsReadModel(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := orgkit.New(t, kind)
		station := o.Unit(t, o.Admin, "太原站", "TYZ", org.LevelStation, o.Root)
		workerID, worker := o.SignUp(t, o.Admin, station, access.RoleCaseworker)
		budgetID := o.Budget(t, o.Root, calendar.Year(time.Now()), "care.visits", 1_000_000)
		var emps []uuid.UUID
		for range 3 {
			id, _, err := o.Env.App.RegisterEmployee(ctx, o.Admin, commands.RegisterEmployee{UnitID: station, Name: "王芳", IDNumber: "11010519491231002X"})
			if err != nil {
				t.Fatal(err)
			}
			emps = append(emps, id)
		}
		day := time.Now().In(calendar.Zone).Format(visit.DateLayout)
		register := func(occasion visit.Occasion, who []uuid.UUID, cash int64) uuid.UUID {
			id, _, err := o.Env.App.RegisterVisit(ctx, worker, commands.RegisterVisit{UnitID: station, BudgetID: budgetID, Details: visit.Details{
				Occasion: occasion, VisitedOn: day, EmployeeIDs: who, CashFenEach: cash, Visitors: []uuid.UUID{workerID},
				Goods: []visit.Goods{{Description: "慰问品", ValueFen: 3_000}}}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		catchUp := func() {
			for _, p := range []projections.Projection{units.New(), budgets.New(), visits.New()} {
				readmodeltest.CatchUp(t, o.Env, p)
			}
		}
		first := register(visit.OccasionFestival, emps, 20_000)
		catchUp()
		second := register(visit.OccasionIllness, emps[2:], 50_000)
		cash := int64(10_000)
		if _, err := o.Env.App.CorrectVisit(ctx, worker, commands.CorrectVisit{VisitID: first,
			Correction: visit.Correction{EmployeeIDs: emps[:2], CashFenEach: &cash}, Reason: "按实际人数和标准更正"}); err != nil {
			t.Fatal(err)
		}
		catchUp()

		rows, next, err := visits.List(ctx, o.Env.DB, query.VisitFilter{Within: []uuid.UUID{o.Root}})
		if err != nil || next != 0 || len(rows) != 2 || rows[0].VisitID != first || rows[1].VisitID != second {
			t.Fatalf("the list: %v %d %v", rows, next, err)
		}
		for _, r := range rows {
			v, err := o.Env.Query.GetVisit(ctx, worker, r.VisitID)
			if err != nil {
				t.Fatal(err)
			}
			if r.TotalFen != v.TotalFen || !reflect.DeepEqual(r.EmployeeIDs, v.EmployeeIDs) || r.Occasion != string(v.Occasion) ||
				r.CashFenEach != v.CashFenEach || !reflect.DeepEqual(r.Goods, v.Goods) || r.Employees != len(v.EmployeeIDs) {
				t.Fatalf("the row %+v, the visit %+v", r, v)
			}
		}
		if rows[0].Corrections != 1 || rows[0].TotalFen != 23_000 {
			t.Fatalf("the corrected visit: %+v", rows[0])
		}
		if only, _, _ := visits.List(ctx, o.Env.DB, query.VisitFilter{EmployeeID: emps[2]}); len(only) != 1 || only[0].VisitID != second {
			t.Fatalf("visits of the employee taken off the first: %v", only)
		}

		b, err := o.Env.Query.GetBudget(ctx, o.Admin, budgetID)
		if err != nil {
			t.Fatal(err)
		}
		row, err := budgets.Get(ctx, o.Env.DB, budgetID)
		if err != nil || b.Spent != 23_000+53_000 || row.SpentFen != b.Spent || row.AvailableFen != b.Available || row.ReservedFen != b.Reserved {
			t.Fatalf("the budget %+v, its row %+v (%v)", b, row, err)
		}
		if b.Spent+b.Reserved > b.Allocated || b.Available > budget.MaxFen {
			t.Fatalf("the budget breaks its invariant: %+v", b)
		}

		live := rows
		if _, err := projections.Rebuild(ctx, o.Env.DB, o.Env.Store, visits.New(), nil); err != nil {
			t.Fatal(err)
		}
		rebuilt, _, err := visits.List(ctx, o.Env.DB, query.VisitFilter{})
		if err != nil || !reflect.DeepEqual(live, rebuilt) {
			t.Fatalf("rebuilt %v (%v), live %v", rebuilt, err, live)
		}
	})
}
