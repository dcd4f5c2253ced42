package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
)

// Condolence visits in the statistics. They are kept by the visits read
// model (rm_visits), which this query reads beside the case tables in the
// same snapshot, placing each visit's unit through rm_stats_units. A
// visit counts in the month of its day (visited_on) under the line of the
// budget it was charged to, as its corrections leave it. Visits have no
// category, cause or standard: grouped by any of those, rows count cases
// only.

// visitDims are the dimensions visits can be grouped by.
var visitDims = []query.Dimension{query.DimUnit, query.DimLine, query.DimMonth}

// addVisits adds the visits' figures to rows (grouped by dims within sc,
// sorted as run sorts them), adding a row for each group with visits and
// no cases. Visits at units the statistics do not know are not counted.
func addVisits(ctx context.Context, tx *sqldb.Tx, q query.StatsRequest, dims []query.Dimension, sc scope, rows []query.StatsRow) ([]query.StatsRow, error) {
	for _, d := range dims {
		if !slices.Contains(visitDims, d) {
			return rows, nil
		}
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	unitExpr := "0"
	if slices.Contains(dims, query.DimUnit) {
		unitExpr = unitColumn(sc) // as build groups cases
	}
	where := []string{"1 = 1"}
	if sc.no != 0 {
		where = append(where, fmt.Sprintf("f.u%d = %s", sc.depth, arg(sc.no)))
	}
	if q.From != "" {
		where = append(where, "v.month >= "+arg(monthNumber(q.From)))
	}
	if q.To != "" {
		where = append(where, "v.month <= "+arg(monthNumber(q.To)))
	}
	stmt := "SELECT " + unitExpr + ", v.budget_line, v.month, COUNT(*), COALESCE(CAST(SUM(v.employees) AS BIGINT), 0), " +
		"COALESCE(CAST(SUM(v.total_fen) AS BIGINT), 0) FROM rm_visits v JOIN rm_stats_units f ON f.unit_id = v.unit_id WHERE " +
		strings.Join(where, " AND ") + " GROUP BY v.budget_line, v.month"
	if unitExpr != "0" { // a constant would name a column by its position
		stmt += ", " + unitExpr
	}
	res, err := tx.Query(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: visits: %w", err)
	}
	defer res.Close()
	type group struct {
		unit              int64
		line              string
		month             int
		n, employees, fen int64
	}
	var groups []group
	for res.Next() {
		var g group
		if err := res.Scan(&g.unit, &g.line, &g.month, &g.n, &g.employees, &g.fen); err != nil {
			return nil, fmt.Errorf("stats: visits: %w", err)
		}
		if g.unit == 0 && slices.Contains(dims, query.DimUnit) { // a visit made by the scope itself
			g.unit = sc.no
		}
		groups = append(groups, g)
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("stats: visits: %w", err)
	}
	if err := res.Close(); err != nil {
		return nil, fmt.Errorf("stats: visits: %w", err)
	}
	if len(groups) == 0 {
		return rows, nil
	}
	var nos []int64
	for _, g := range groups {
		nos = append(nos, g.unit)
	}
	units, err := nameUnits(ctx, tx, nos)
	if err != nil {
		return nil, err
	}
	order := map[uuid.UUID]int64{} // unit_no by id, to sort new rows among the others
	for no, u := range units {
		order[u.id] = no
	}
	key := func(r query.StatsRow) string {
		var k []string
		for _, d := range dims {
			switch d {
			case query.DimUnit:
				k = append(k, r.UnitID.String())
			case query.DimLine:
				k = append(k, r.BudgetLine)
			case query.DimMonth:
				k = append(k, r.Month)
			}
		}
		return strings.Join(k, "\x00")
	}
	at := map[string]int{}
	for i, r := range rows {
		at[key(r)] = i
	}
	added := false
	for _, g := range groups {
		var r query.StatsRow
		for _, d := range dims {
			switch d {
			case query.DimUnit:
				r.UnitID, r.UnitName = units[g.unit].id, units[g.unit].name
			case query.DimLine:
				r.BudgetLine = g.line
			case query.DimMonth:
				r.Month = fmt.Sprintf("%04d-%02d", g.month/100, g.month%100)
			}
		}
		i, ok := at[key(r)]
		if !ok {
			i, added = len(rows), true
			at[key(r)] = i
			rows = append(rows, r)
		}
		rows[i].Visits += g.n
		rows[i].VisitedEmployees += g.employees
		rows[i].VisitFen += g.fen
	}
	if added && slices.Contains(dims, query.DimUnit) {
		if err := unitOrder(ctx, tx, rows, order); err != nil {
			return nil, err
		}
	}
	if added {
		slices.SortStableFunc(rows, func(a, b query.StatsRow) int {
			if a.UnitID != b.UnitID {
				return int(order[a.UnitID] - order[b.UnitID])
			}
			if c := strings.Compare(a.BudgetLine, b.BudgetLine); c != 0 {
				return c
			}
			return strings.Compare(a.Month, b.Month)
		})
	}
	return rows, nil
}

// unitOrder completes order with the unit_no of every row's unit.
func unitOrder(ctx context.Context, tx *sqldb.Tx, rows []query.StatsRow, order map[uuid.UUID]int64) error {
	for _, r := range rows {
		if _, ok := order[r.UnitID]; ok {
			continue
		}
		var no int64
		if err := tx.QueryRow(ctx, "SELECT unit_no FROM rm_stats_units WHERE unit_id = $1", r.UnitID.String()).Scan(&no); err != nil {
			return fmt.Errorf("stats: unit order: %w", err)
		}
		order[r.UnitID] = no
	}
	return nil
}
