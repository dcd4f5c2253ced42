package stats_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/projections"
	"aidtrail/projections/stats"
	"aidtrail/projections/visits"
)

// benchCases is how many cases BenchmarkStatsQuery loads.
const benchCases = 100_000

// BenchmarkStatsQuery measures Query over benchCases cases on PostgreSQL:
// a bureau of 6 stations, 30 workshops and 120 teams, 20,000 employees,
// 102 standards on 10 budget lines, 12 causes, two years of months. The
// rows are written straight into the read model's tables (through their
// views, which PostgreSQL lets one insert into), not through events. Each
// sub-benchmark asks one typical question, from the bureau's widest (every
// dimension, every month: a dump of some 30,000 groups) to a station's
// quarter, and reports its 50th and 99th percentile latency in
// milliseconds.
func BenchmarkStatsQuery(b *testing.B) {
	env := apptest.New(b, "postgres")
	ctx := b.Context()
	if err := projections.Prepare(ctx, env.DB, visits.New()); err != nil { // the query reads its visits
		b.Fatal(err)
	}
	if err := projections.Prepare(ctx, env.DB, stats.New()); err != nil {
		b.Fatal(err)
	}
	root, stations := loadBenchRows(b, env.DB)
	all := query.Dimensions()
	for _, q := range []struct {
		name string
		q    query.StatsRequest
	}{
		{"everything", query.StatsRequest{Dimensions: all}},
		{"bureau-unit-month", query.StatsRequest{Dimensions: []query.Dimension{query.DimUnit, query.DimMonth}, Scope: root}},
		{"bureau-cause", query.StatsRequest{Dimensions: []query.Dimension{query.DimCause}, Scope: root}},
		{"bureau-year-line-category", query.StatsRequest{Dimensions: []query.Dimension{query.DimLine, query.DimCategory}, Scope: root, From: "2025-01", To: "2025-12"}},
		{"station-unit-cause-category", query.StatsRequest{Dimensions: []query.Dimension{query.DimUnit, query.DimCause, query.DimCategory}, Scope: stations[0]}},
		{"station-quarter-standard-month", query.StatsRequest{Dimensions: []query.Dimension{query.DimStandard, query.DimMonth}, Scope: stations[1], From: "2025-04", To: "2025-06"}},
		{"station-totals", query.StatsRequest{Scope: stations[2]}},
	} {
		b.Run(q.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := stats.Query(ctx, env.DB, q.q)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if len(rows) == 0 {
					b.Fatal("no rows")
				}
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// loadBenchRows writes the benchmark's organisation and cases and returns
// the root and the stations.
func loadBenchRows(b *testing.B, db *sqldb.DB) (uuid.UUID, []uuid.UUID) {
	ctx := b.Context()
	rng := rand.New(rand.NewPCG(1, 2))
	type unit struct {
		id     uuid.UUID
		no     int64
		depth  int
		levels [4]int64
	}
	var tree []unit
	add := func(parent *unit) unit {
		u := unit{id: uuid.New(), no: int64(len(tree) + 1)}
		if parent != nil {
			u.depth, u.levels = parent.depth+1, parent.levels
		}
		u.levels[u.depth] = u.no
		tree = append(tree, u)
		return u
	}
	root := add(nil)
	var stations []uuid.UUID
	for range 6 {
		st := add(&root)
		stations = append(stations, st.id)
		for range 5 {
			ws := add(&st)
			for range 4 {
				add(&ws)
			}
		}
	}
	insert(b, db, "rm_stats_units", "unit_no, unit_id, name, depth, u0, u1, u2, u3", len(tree), func(i int) []any {
		u := tree[i]
		return []any{u.no, u.id.String(), fmt.Sprintf("unit %d", i), u.depth, u.levels[0], u.levels[1], u.levels[2], u.levels[3]}
	})

	employees := make([]uuid.UUID, 20_000)
	homes := make([]unit, len(employees))
	for i := range employees {
		employees[i], homes[i] = uuid.New(), tree[rng.IntN(len(tree))]
	}
	insert(b, db, "rm_stats_employees", "employee_no, employee_id", len(employees), func(i int) []any {
		return []any{i + 1, employees[i].String()}
	})
	categories := []string{"hardship", "medical", "education"}
	causes := []string{"serious_illness", "disability", "unemployment", "disaster", "accident", "education_costs",
		"single_parent", "elderly_care", "debt", "low_income", "death_in_family", "other"}
	type fact struct {
		employee                        int
		category, standard, line, month string
		approved, paid                  int64
		causes                          []string
	}
	facts := make([]fact, benchCases)
	for i := range facts {
		s := rng.IntN(102)
		f := fact{employee: rng.IntN(len(employees)), category: categories[s%3],
			standard: fmt.Sprintf("STD-%03d", s), line: fmt.Sprintf("line.%d", s%10),
			month: fmt.Sprintf("%d-%02d", 2024+rng.IntN(2), 1+rng.IntN(12))}
		if rng.IntN(4) > 0 {
			f.approved = int64(1+rng.IntN(5_000)) * 100
			if rng.IntN(3) > 0 {
				f.paid = f.approved
			}
		}
		for _, c := range rng.Perm(len(causes))[:1+rng.IntN(3)] {
			f.causes = append(f.causes, causes[c])
		}
		facts[i] = f
	}
	type term struct{ kind, term string }
	var terms []term
	numbers := map[term]int{}
	number := func(kind, t string) int {
		k := term{kind, t}
		if _, ok := numbers[k]; !ok {
			terms = append(terms, k)
			numbers[k] = len(terms)
		}
		return numbers[k]
	}
	row := func(i int) []any { // the columns cases and their causes share
		f := facts[i]
		home := homes[f.employee]
		month, _ := strconv.Atoi(strings.Replace(f.month, "-", "", 1))
		return []any{i + 1, home.no, home.levels[0], home.levels[1], home.levels[2], home.levels[3], f.employee + 1, month,
			number("category", f.category), number("standard", f.standard), number("line", f.line), f.approved, f.paid}
	}
	const shared = "case_no, unit_no, u0, u1, u2, u3, employee_no, month, category_no, standard_no, line_no, approved_fen, paid_fen, "
	insert(b, db, "rm_stats_cases", shared+"status, standard_version, category, standard_code, budget_line, case_id, employee_id, unit_id",
		len(facts), func(i int) []any {
			f := facts[i]
			return append(row(i), "closed", 1, f.category, f.standard, f.line,
				uuid.NewString(), employees[f.employee].String(), homes[f.employee].id.String())
		})
	type pair struct {
		caseIndex int
		cause     string
	}
	var pairs []pair
	for i, f := range facts {
		for _, c := range f.causes {
			pairs = append(pairs, pair{i, c})
		}
	}
	insert(b, db, "rm_stats_case_causes", shared+"cause_no, cause", len(pairs), func(i int) []any {
		return append(row(pairs[i].caseIndex), number("cause", pairs[i].cause), pairs[i].cause)
	})
	insert(b, db, "rm_stats_terms", "term_no, kind, term", len(terms), func(i int) []any {
		return []any{i + 1, terms[i].kind, terms[i].term}
	})
	rows, err := db.Query(ctx, `SELECT DISTINCT table_name FROM information_schema.view_table_usage
		WHERE view_name LIKE 'rm_stats_%' AND view_schema = current_schema()`)
	if err != nil {
		b.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			b.Fatal(err)
		}
		tables = append(tables, t)
	}
	if err := rows.Close(); err != nil || len(tables) != len(stats.New().Tables()) {
		b.Fatalf("tables behind the views: %v (%v)", tables, err)
	}
	if _, err := db.Exec(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
		b.Fatal(err)
	}
	return root.id, stations
}

// insert writes n rows of columns into table, many rows per statement.
func insert(b *testing.B, db *sqldb.DB, table, columns string, n int, row func(int) []any) {
	b.Helper()
	width := strings.Count(columns, ",") + 1
	const per = 2_000
	for start := 0; start < n; start += per {
		var args []any
		var values []string
		for i := start; i < min(n, start+per); i++ {
			ph := make([]string, width)
			for j := range ph {
				ph[j] = fmt.Sprintf("$%d", len(args)+j+1)
			}
			args = append(args, row(i)...)
			values = append(values, "("+strings.Join(ph, ", ")+")")
		}
		if _, err := db.Exec(b.Context(), "INSERT INTO "+table+" ("+columns+") VALUES "+strings.Join(values, ", "), args...); err != nil {
			b.Fatal(err)
		}
	}
}
