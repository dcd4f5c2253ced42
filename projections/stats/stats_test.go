package stats_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
	"aidtrail/projections/stats"
	"aidtrail/projections/visits"
)

// history writes an organisation, a catalogue and case histories straight
// into a store, and keeps what the statistics must then say in plain Go:
// the organisation as it is now and every case's figures.
type history struct {
	t      *testing.T
	store  commands.EventStore
	rng    *rand.Rand
	parent map[uuid.UUID]uuid.UUID // uuid.Nil for the root
	names  map[uuid.UUID]string
	units  map[string]uuid.UUID
	lines  map[string][]string // standard code → budget line of each version
	cases  []*wantCase
	people []uuid.UUID
}

type wantCase struct {
	unit, employee           uuid.UUID
	category, standard, line string
	month                    string
	causes                   []string
	approved, paid           int64
}

func newHistory(t *testing.T, store commands.EventStore, seed uint64) *history {
	h := &history{t: t, store: store, rng: rand.New(rand.NewPCG(seed, 3)), parent: map[uuid.UUID]uuid.UUID{},
		names: map[uuid.UUID]string{}, units: map[string]uuid.UUID{}, lines: map[string][]string{}}
	for range 6 {
		h.people = append(h.people, uuid.New())
	}
	return h
}

func (h *history) append(stream string, at time.Time, typ string, payload any) {
	h.t.Helper()
	data, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.store.Append(h.t.Context(), stream, event.Any, event.Event{ID: event.NewID(), Type: typ, Data: data,
		Metadata: event.Metadata{ActorName: "测试", OccurredAt: at}}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *history) path(id uuid.UUID) []uuid.UUID {
	var p []uuid.UUID
	for u := h.parent[id]; u != uuid.Nil; u = h.parent[u] {
		p = append([]uuid.UUID{u}, p...)
	}
	return p
}

func (h *history) establish(name string, level org.Level, parentName string) {
	id := uuid.New()
	p := org.UnitEstablished{UnitID: id, Name: name, Code: strings.ToUpper(name), Level: level, Path: []uuid.UUID{}}
	if parentName != "" {
		parent := h.units[parentName]
		h.parent[id] = parent
		p.ParentID, p.Path = &parent, h.path(id)
	}
	h.units[name], h.names[id] = id, name
	h.append(org.UnitStream(id), time.Now(), org.TypeUnitEstablished, p)
}

// move puts unit name under newParent, and records the new path of every
// unit below it, as the organisation's commands do.
func (h *history) move(name, newParent string) {
	id := h.units[name]
	h.parent[id] = h.units[newParent]
	h.append(org.UnitStream(id), time.Now(), org.TypeUnitMoved, org.UnitMoved{ParentID: h.units[newParent], Path: h.path(id)})
	for child, parent := range h.parent {
		if parent == id {
			h.append(org.UnitStream(child), time.Now(), org.TypeUnitPathChanged, org.UnitPathChanged{Path: h.path(child)})
		}
	}
}

func (h *history) publish(code string, category catalogue.Category, line string) {
	typ := catalogue.TypeStandardPublished
	if len(h.lines[code]) > 0 {
		typ = catalogue.TypeStandardRevised
	}
	h.lines[code] = append(h.lines[code], line)
	d := catalogue.Definition{Code: code, Name: code, Category: category, OwnerUnitID: h.units["root"],
		AmountRule: catalogue.FixedRule(100_000), AnnualCapFen: 1_000_000, MaxTimesPerYear: 4, BudgetLine: line,
		Beneficiaries: []catalogue.Beneficiary{"self"}, Version: len(h.lines[code])}
	h.append(catalogue.StandardStream(code), time.Now(), typ, d)
}

var causes = []string{"重病", "残疾", "子女上学", "灾害", "失业"}

// openCase writes one case history at unit, opened at the moment at, and
// decides its outcome at random.
func (h *history) openCase(unit, code string, at time.Time) {
	id := uuid.New()
	stream := casework.CaseStream(id)
	category := map[string]string{"HARD-LIVING": "hardship", "MED-SERIOUS": "medical", "EDU-COLLEGE": "education"}[code]
	c := &wantCase{unit: h.units[unit], employee: h.people[h.rng.IntN(len(h.people))], category: category, standard: code,
		line: h.lines[code][len(h.lines[code])-1], month: at.In(calendar.Zone).Format("2006-01")}
	for _, i := range h.rng.Perm(len(causes))[:h.rng.IntN(3)] {
		c.causes = append(c.causes, causes[i])
	}
	requested := int64(10_000 + h.rng.IntN(500_000))
	h.append(stream, at, casework.TypeCaseOpened, casework.CaseOpened{CaseID: id, EmployeeID: c.employee, UnitID: c.unit,
		Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf, Name: "sealed:v1:x"}, StandardCode: code,
		Category: category, Causes: c.causes, RequestedFen: requested, Description: "sealed:v1:y", OpenedByAccountID: uuid.New()})
	h.cases = append(h.cases, c)
	outcome := h.rng.IntN(6)
	if outcome == 0 {
		return // a draft
	}
	later := at.Add(time.Hour)
	version := len(h.lines[code])
	c.line = h.lines[code][version-1]
	step := []casework.CaseStep{{Name: "审核", AssigneeAccountID: uuid.New()}}
	h.append(stream, later, casework.TypeCaseSubmitted, casework.CaseSubmitted{StandardVersion: version, MaxPayableFen: requested,
		AmountFen: requested, FlowUnitID: c.unit, FlowVersion: 1, Steps: step})
	switch outcome {
	case 1:
		h.append(stream, later, casework.TypeCaseRejected, casework.CaseRejected{Step: "审核", Reason: "不符合"})
		return
	case 2:
		h.append(stream, later, casework.TypeCaseWithdrawn, casework.CaseWithdrawn{Reason: "撤回", ByAccountID: uuid.New()})
		return
	}
	c.approved = requested - int64(h.rng.IntN(5))*1000
	h.append(stream, later, casework.TypeCaseApproved, casework.CaseApproved{AmountFen: c.approved})
	if outcome == 3 {
		return // approved, not paid yet
	}
	fail, first := uuid.New(), uuid.New()
	h.append(stream, later, casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: fail, AmountFen: c.approved})
	h.append(stream, later, casework.TypeCasePaymentFailed, casework.CasePaymentFailed{PaymentID: fail, AmountFen: c.approved, Reason: "冻结"})
	part := c.approved / 3
	h.append(stream, later, casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: first, AmountFen: part})
	h.append(stream, later, casework.TypeCasePaymentConfirmed, casework.CasePaymentConfirmed{PaymentID: first, AmountFen: part})
	c.paid = part
	if outcome == 5 {
		second := uuid.New()
		h.append(stream, later, casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: second, AmountFen: c.approved - part})
		h.append(stream, later, casework.TypeCasePaymentConfirmed, casework.CasePaymentConfirmed{PaymentID: second, AmountFen: c.approved - part})
		h.append(stream, later, casework.TypeCasePaid, casework.CasePaid{TotalFen: c.approved})
		h.append(stream, later, casework.TypeCaseClosed, casework.CaseClosed{})
		c.paid = c.approved
	}
}

// want folds the cases into the rows q must return.
func (h *history) want(q query.StatsRequest) []query.StatsRow {
	within := func(u uuid.UUID) (uuid.UUID, bool) { // the scope's child u is under, or the scope
		if q.Scope == uuid.Nil {
			for h.parent[u] != uuid.Nil {
				u = h.parent[u]
			}
			return u, true
		}
		for ; u != uuid.Nil; u = h.parent[u] {
			if u == q.Scope || h.parent[u] == q.Scope {
				return u, true
			}
		}
		return uuid.Nil, false
	}
	type acc struct {
		row       query.StatsRow
		employees map[uuid.UUID]bool
	}
	groups := map[query.StatsRow]*acc{}
	has := func(d query.Dimension) bool { return slices.Contains(q.Dimensions, d) }
	for _, c := range h.cases {
		group, ok := within(c.unit)
		if !ok || q.From != "" && c.month < q.From || q.To != "" && c.month > q.To {
			continue
		}
		cs := []string{""}
		if has(query.DimCause) && len(c.causes) > 0 {
			cs = c.causes
		}
		for _, cause := range cs {
			var key query.StatsRow
			if has(query.DimUnit) {
				key.UnitID, key.UnitName = group, h.names[group]
			}
			if has(query.DimCategory) {
				key.Category = c.category
			}
			if has(query.DimCause) {
				key.Cause = cause
			}
			if has(query.DimStandard) {
				key.StandardCode = c.standard
			}
			if has(query.DimLine) {
				key.BudgetLine = c.line
			}
			if has(query.DimMonth) {
				key.Month = c.month
			}
			a := groups[key]
			if a == nil {
				a = &acc{row: key, employees: map[uuid.UUID]bool{}}
				groups[key] = a
			}
			a.row.Cases++
			a.row.ApprovedFen += c.approved
			a.row.PaidFen += c.paid
			a.employees[c.employee] = true
		}
	}
	out := []query.StatsRow{}
	for _, a := range groups {
		a.row.Employees = int64(len(a.employees))
		out = append(out, a.row)
	}
	if len(q.Dimensions) == 0 && len(out) == 0 {
		out = append(out, query.StatsRow{})
	}
	sortRows(out)
	return out
}

func sortRows(rows []query.StatsRow) {
	slices.SortFunc(rows, func(a, b query.StatsRow) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
}

// writeWorld writes the same shape of history for every test: a bureau,
// two stations with workshops and teams, three standards (one revised to
// another budget line), cases over several months — some at the edge of
// a month, where UTC and Asia/Shanghai disagree — and a workshop moved
// from one station to the other once it has cases. catchUp, when not nil,
// runs between the parts.
func writeWorld(t *testing.T, h *history, catchUp func()) {
	h.establish("root", org.LevelBureau, "")
	h.establish("st-a", org.LevelStation, "root")
	h.establish("st-b", org.LevelStation, "root")
	h.establish("ws-a1", org.LevelWorkshop, "st-a")
	h.establish("ws-a2", org.LevelWorkshop, "st-a")
	h.establish("ws-b1", org.LevelWorkshop, "st-b")
	h.establish("tm-a1", org.LevelTeam, "ws-a1")
	h.establish("tm-a2", org.LevelTeam, "ws-a2")
	h.publish("HARD-LIVING", catalogue.CategoryHardship, "hardship.living")
	h.publish("MED-SERIOUS", catalogue.CategoryMedical, "medical.serious")
	h.publish("EDU-COLLEGE", catalogue.CategoryEducation, "education.college")
	units := []string{"root", "st-a", "st-b", "ws-a1", "ws-a2", "ws-b1", "tm-a1", "tm-a2"}
	codes := []string{"HARD-LIVING", "MED-SERIOUS", "EDU-COLLEGE"}
	// 2025-01-31 16:30 UTC is 2025-02-01 00:30 in Shanghai: February.
	start := time.Date(2025, 1, 31, 16, 30, 0, 0, time.UTC)
	write := func(n int) {
		for range n {
			at := start.Add(time.Duration(h.rng.IntN(120)) * 24 * time.Hour)
			h.openCase(units[h.rng.IntN(len(units))], codes[h.rng.IntN(len(codes))], at)
		}
		if catchUp != nil {
			catchUp()
		}
	}
	write(25)
	h.publish("MED-SERIOUS", catalogue.CategoryMedical, "medical.major")
	write(25)
	h.move("ws-a2", "st-b")
	write(20)
	h.establish("st-c", org.LevelStation, "root") // a station with no cases
}

func requests(h *history) []query.StatsRequest {
	all := query.Dimensions()
	q := []query.StatsRequest{
		{},
		{Dimensions: all},
		{Dimensions: []query.Dimension{query.DimUnit}},
		{Dimensions: []query.Dimension{query.DimCause}},
		{Dimensions: []query.Dimension{query.DimLine, query.DimCategory}},
		{Dimensions: []query.Dimension{query.DimMonth}, From: "2025-02", To: "2025-03"},
		{Dimensions: []query.Dimension{query.DimCause, query.DimMonth, query.DimMonth}, To: "2025-02"},
	}
	for _, scope := range []string{"root", "st-a", "st-b", "ws-a2", "tm-a1", "st-c"} {
		q = append(q,
			query.StatsRequest{Scope: h.units[scope]},
			query.StatsRequest{Scope: h.units[scope], Dimensions: []query.Dimension{query.DimUnit}},
			query.StatsRequest{Scope: h.units[scope], Dimensions: []query.Dimension{query.DimUnit, query.DimCause, query.DimStandard}},
			query.StatsRequest{Scope: h.units[scope], Dimensions: all, From: "2025-03"})
	}
	return q
}

func check(t *testing.T, db *sqldb.DB, h *history) {
	t.Helper()
	for i, q := range requests(h) {
		got, err := stats.Query(t.Context(), db, q)
		if err != nil {
			t.Fatalf("request %d %+v: %v", i, q, err)
		}
		if got == nil {
			got = []query.StatsRow{}
		}
		sortRows(got)
		if want := h.want(q); !reflect.DeepEqual(got, want) {
			t.Fatalf("request %d %+v:\n got %+v\nwant %+v", i, q, got, want)
		}
	}
}

// The figures equal a plain fold of what was written, on both stores;
// the tables built event by event as the history grew equal the tables
// rebuilt from position 0.
func TestStatsFigures(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		h := newHistory(t, env.Store, 11)
		catchUp := func() {
			readmodeltest.CatchUp(t, env, stats.New())
			readmodeltest.CatchUp(t, env, visits.New()) // the query reads its visits
		}
		writeWorld(t, h, catchUp)
		catchUp()
		check(t, env.DB, h)
		live := dump(t, env.DB)
		if _, err := projections.Rebuild(t.Context(), env.DB, env.Store, stats.New(), nil); err != nil {
			t.Fatal(err)
		}
		if rebuilt := dump(t, env.DB); !reflect.DeepEqual(live, rebuilt) {
			t.Fatalf("rebuilt tables differ from the live ones:\n live %v\nrebuilt %v", live, rebuilt)
		}
		check(t, env.DB, h)
	})
}

// dump reads every statistics table whole, in a fixed order.
func dump(t *testing.T, db *sqldb.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range stats.New().Tables() {
		rows, err := db.Query(t.Context(), "SELECT * FROM "+table.Name)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					vals[i] = string(b)
				}
			}
			out[table.Name] = append(out[table.Name], fmt.Sprint(vals...))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out[table.Name])
		if len(out[table.Name]) == 0 && table.Name != "rm_stats_employees" {
			t.Fatalf("%s is empty", table.Name)
		}
	}
	return out
}

// Malformed requests are refused with the part that is wrong, before any
// SQL runs.
func TestQueryRefusesBadRequests(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		q     query.StatsRequest
		field string
	}{
		{query.StatsRequest{Dimensions: []query.Dimension{"unit; DROP TABLE rm_stats_cases"}}, "dimensions"},
		{query.StatsRequest{Dimensions: []query.Dimension{"employee"}}, "dimensions"},
		{query.StatsRequest{From: "2025-13"}, "from"},
		{query.StatsRequest{From: "2025-1"}, "from"},
		{query.StatsRequest{To: "2025-01-01"}, "to"},
		{query.StatsRequest{From: "2025-03", To: "2025-02"}, "to"},
	} {
		_, err := stats.Query(context.Background(), nil, tt.q)
		var qe *query.StatsError
		if !errors.As(err, &qe) || qe.Field != tt.field || !errors.Is(err, query.ErrBadStats) {
			t.Errorf("%+v: %v, want a QueryError on %s", tt.q, err, tt.field)
		}
	}
}

// A case event the projection cannot apply stops it; reference data it
// lacks does not: a case of an unpublished standard at an unestablished
// unit counts under the empty line, at a unit of its own.
func TestStatsStrictOnCasesLenientOnReferences(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		h := newHistory(t, env.Store, 5)
		lone := uuid.New()
		h.units["lone"], h.names[lone] = lone, ""
		h.lines["NOWHERE"] = []string{""}
		h.openCase("lone", "NOWHERE", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		readmodeltest.CatchUp(t, env, stats.New())
		readmodeltest.CatchUp(t, env, visits.New())
		check(t, env.DB, h)

		h.append(casework.CaseStream(uuid.New()), time.Now(), casework.TypeCaseApproved, casework.CaseApproved{AmountFen: 100})
		if _, err := projections.CatchUp(t.Context(), env.DB, env.Store, stats.New()); err == nil {
			t.Fatal("an approval of a case never opened was applied")
		}
	})
}
