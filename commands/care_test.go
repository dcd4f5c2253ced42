package commands_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/care"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
)

// careOrg is a bureau with one station, its caseworker, a caseworker of
// another station, an analyst and one employee of the first station.
type careOrg struct {
	*orgkit.Org
	station, other       uuid.UUID
	caseworker, outsider commands.Actor
	analyst              commands.Actor
	employee             uuid.UUID
}

func newCareOrg(t *testing.T, kind string) *careOrg {
	t.Helper()
	o := &careOrg{Org: orgkit.New(t, kind)}
	o.station = o.Unit(t, o.Admin, "太原站", "TYZ", org.LevelStation, o.Root)
	o.other = o.Unit(t, o.Admin, "大同站", "DTZ", org.LevelStation, o.Root)
	_, o.caseworker = o.SignUp(t, o.Admin, o.station, access.RoleCaseworker)
	_, o.outsider = o.SignUp(t, o.Admin, o.other, access.RoleCaseworker)
	_, o.analyst = o.SignUp(t, o.Admin, o.Root, access.RoleAnalyst)
	o.employee = o.registerEmployee(t, o.station)
	return o
}

func (o *careOrg) registerEmployee(t testing.TB, unit uuid.UUID) uuid.UUID {
	t.Helper()
	id, _, err := o.Env.App.RegisterEmployee(t.Context(), o.Admin, commands.RegisterEmployee{
		UnitID: unit, Name: "王强", IDNumber: "11010519491231002X"})
	if err != nil {
		t.Fatalf("register employee: %v", err)
	}
	return id
}

var household = care.Household{Size: 3, Dependants: 1, IncomeBand: "below_minimum", AgeBand: "40_49"}

// The register keeps a history: entry, a refused second entry, a review,
// exit, a refused review after exit; only care staff of the employee's
// subtree may act, and every refusal writes nothing but its record.
func TestTheHardshipRegister(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newCareOrg(t, kind)
		app := o.Env.App
		enter := commands.EnterHardship{EmployeeID: o.employee, Level: care.LevelDeep, Causes: []string{"重病"}, Household: household}
		for name, actor := range map[string]commands.Actor{"another station's caseworker": o.outsider, "an analyst": o.analyst} {
			if _, err := app.EnterHardship(ctx, actor, enter); !errors.Is(err, access.ErrForbidden) {
				t.Fatalf("%s entering: %v, want forbidden", name, err)
			}
		}
		if _, err := app.EnterHardship(ctx, o.caseworker, enter); err != nil {
			t.Fatal(err)
		}
		if _, err := app.EnterHardship(ctx, o.caseworker, enter); !errors.Is(err, care.ErrInRegister) || !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("entered twice: %v", err)
		}
		if _, err := app.ReviewHardship(ctx, o.caseworker, commands.ReviewHardship{EmployeeID: o.employee,
			Outcome: care.OutcomeChangeLevel, Level: care.LevelRelative, Note: "收入有所恢复"}); err != nil {
			t.Fatal(err)
		}
		if _, err := app.ExitHardship(ctx, o.caseworker, commands.ExitHardship{EmployeeID: o.employee, Reason: care.ExitRecovered}); err != nil {
			t.Fatal(err)
		}
		if _, err := app.ReviewHardship(ctx, o.caseworker, commands.ReviewHardship{EmployeeID: o.employee, Outcome: care.OutcomeKeep}); !errors.Is(err, care.ErrNotInRegister) {
			t.Fatalf("review after exit: %v", err)
		}
		history, err := o.Env.Store.ReadStream(ctx, care.HardshipStream(o.employee), 1)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, r := range history {
			types = append(types, r.Type)
		}
		if fmt.Sprint(types) != "[hardship.entered hardship.reviewed hardship.exited]" {
			t.Fatalf("register history %v", types)
		}
	})
}

// importRows returns n rows of life events for employee, one per day
// in 2023 to 2025.
func importRows(employee uuid.UUID, n int) []commands.LifeEventRow {
	rows := make([]commands.LifeEventRow, n)
	for i := range rows {
		day := fmt.Sprintf("%04d-%02d-%02d", 2023+i/336, 1+i/28%12, 1+i%28)
		rows[i] = commands.LifeEventRow{Row: i + 2, EmployeeID: employee.String(), Kind: care.KindHospitalisation,
			Subject: []string{"self", "spouse", "child", "parent"}[i%4], OccurredOn: day, Details: "住院"}
	}
	return rows
}

// An import of 1,000 rows with one bad row writes nothing and names the
// row and column; the good file imports once, and again adds nothing.
func TestLifeEventImportIsAllOrNothingAndOnce(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newCareOrg(t, kind)
		app := o.Env.App
		rows := importRows(o.employee, 1000)
		bad := append([]commands.LifeEventRow(nil), rows...)
		bad[637].OccurredOn = "2026-02-30"
		before := lastPosition(t, o.Env)
		_, _, err := app.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: bad})
		var ie *commands.ImportError
		if !errors.As(err, &ie) || !errors.Is(err, fault.ErrInvalid) || len(ie.Rows) != 1 ||
			ie.Rows[0] != (commands.RowError{Row: 639, Column: "occurred_on", Message: "must be a date YYYY-MM-DD"}) {
			t.Fatalf("bad file: %v", err)
		}
		if after := lastPosition(t, o.Env); after != before {
			t.Fatalf("a refused import wrote events %d..%d", before+1, after)
		}
		got, _, err := app.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: rows})
		if err != nil || got != (commands.Imported{Imported: 1000}) {
			t.Fatalf("import: %+v %v", got, err)
		}
		again, _, err := app.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: rows})
		if err != nil || again != (commands.Imported{SkippedDuplicates: 1000}) {
			t.Fatalf("importing the same file again: %+v %v", again, err)
		}
		if _, _, err := app.ImportLifeEvents(ctx, o.outsider, commands.ImportLifeEvents{Rows: rows[:1]}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("another station's import: %v", err)
		}
		unknown := []commands.LifeEventRow{{Row: 2, EmployeeID: uuid.NewString(), Kind: care.KindDisability, Subject: "self", OccurredOn: "2025-01-01"},
			{Row: 3, EmployeeID: "x", Kind: "wedding", Subject: "self", OccurredOn: "2025-01-01"}}
		if _, _, err := app.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: unknown}); !errors.As(err, &ie) || len(ie.Rows) != 2 ||
			ie.Rows[0].Column != "employee_id" || ie.Rows[1].Row != 3 {
			t.Fatalf("unknown employees: %v", err)
		}
	})
}

// Only the bureau publishes rules, each naming a published standard.
func TestDiscoveryRulesArePublishedByTheBureau(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newCareOrg(t, kind)
		o.PublishHardship(t)
		rules := []care.Rule{{Code: "ENTRY", StandardCode: orgkit.HardshipCode, Explanation: "可申请生活补助"}}
		if _, _, err := o.Env.App.PublishDiscoveryRules(ctx, o.caseworker, commands.PublishDiscoveryRules{Rules: rules}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("a caseworker publishing rules: %v", err)
		}
		if _, _, err := o.Env.App.PublishDiscoveryRules(ctx, o.Admin, commands.PublishDiscoveryRules{Rules: []care.Rule{{Code: "X", StandardCode: "NONE"}}}); !errors.Is(err, commands.ErrNotFound) {
			t.Fatalf("a rule for no standard: %v", err)
		}
		for want := 1; want <= 2; want++ {
			v, _, err := o.Env.App.PublishDiscoveryRules(ctx, o.Admin, commands.PublishDiscoveryRules{Rules: rules})
			if err != nil || v != want {
				t.Fatalf("publish: version %d %v, want %d", v, err, want)
			}
		}
	})
}

func lastPosition(t *testing.T, env *apptest.Env) int64 {
	t.Helper()
	var last int64
	for {
		recs, err := env.Store.ReadAll(t.Context(), last, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return last
		}
		last = recs[len(recs)-1].Position
	}
}

// An import of more employees than one transaction takes is written in
// several; an import cut short after its first transaction is completed by
// importing the file again, which records the rest and skips the rest.
func TestLargeImportsAreWrittenInParts(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		o := newCareOrg(t, kind)
		n := commands.ImportChunk*2 + 100
		rows := make([]commands.LifeEventRow, n)
		var tx event.Transaction
		for i := range rows {
			emp := uuid.New()
			reg, err := event.New(org.TypeEmployeeRegistered, org.EmployeeRegistered{EmployeeID: emp, UnitID: o.station,
				Name: "sealed:v1:x", IDNumber: "sealed:v1:y", Family: []org.FamilyMember{}})
			if err != nil {
				t.Fatal(err)
			}
			tx.Appends = append(tx.Appends, event.StreamAppend{Stream: org.EmployeeStream(emp), Expected: event.NoStream, Events: []event.Event{reg}})
			rows[i] = commands.LifeEventRow{Row: i + 2, EmployeeID: emp.String(), Kind: care.KindLowIncome, Subject: "self", OccurredOn: "2026-03-01"}
		}
		if _, err := o.Env.Store.Commit(ctx, tx); err != nil {
			t.Fatal(err)
		}
		first := rows[:commands.ImportChunk] // what the first transaction wrote before the process stopped
		if got, _, err := o.Env.App.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: first}); err != nil || got.Imported != len(first) {
			t.Fatalf("the first part: %+v %v", got, err)
		}
		got, _, err := o.Env.App.ImportLifeEvents(ctx, o.caseworker, commands.ImportLifeEvents{Rows: rows})
		if err != nil || got != (commands.Imported{Imported: n - len(first), SkippedDuplicates: len(first)}) {
			t.Fatalf("importing the whole file again: %+v %v", got, err)
		}
		recorded := 0
		for _, row := range rows {
			h, err := o.Env.Store.ReadStream(ctx, care.LifeEventsStream(uuid.MustParse(row.EmployeeID)), 1)
			if err != nil || len(h) != 1 {
				t.Fatalf("employee %s has %d life events (%v), want 1", row.EmployeeID, len(h), err)
			}
			recorded++
		}
		if recorded != n {
			t.Fatalf("%d of %d recorded", recorded, n)
		}
	})
}
