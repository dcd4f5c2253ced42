package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
)

// column is the SQL expression grouping by a dimension. Only these fixed
// strings ever reach the query text; values are bound as parameters.
// The unit's expression depends on the scope's depth (build).
var column = map[query.Dimension]string{
	query.DimCategory: "f.category_no",
	query.DimCause:    "f.cause_no",
	query.DimStandard: "f.standard_no",
	query.DimLine:     "f.line_no",
	query.DimMonth:    "f.month",
}

// termKind is the kind in rm_stats_terms of a dimension's numbers.
var termKind = map[query.Dimension]string{query.DimCategory: "category", query.DimCause: "cause", query.DimStandard: "standard", query.DimLine: "line"}

// scope is where a query looks: the subtree of the unit numbered no at
// depth, or the whole organisation when no is 0.
type scope struct {
	no    int64
	depth int
}

// Query returns the figures q asks for, one row per group that has cases
// or condolence visits (see addVisits), sorted by the dimensions in the
// order of Dimensions() — units with the scope itself first, then its
// children in the order they were established; the other dimensions by
// their text. With no dimensions it returns exactly one row, the totals.
// A Scope the read model does not know (yet) has no cases. One SQL
// statement serves PostgreSQL and SQLite for the cases, one more for the
// visits; the cost grows with the cases and visits in scope and period,
// each read once.
func Query(ctx context.Context, db *sqldb.DB, q query.StatsRequest) ([]query.StatsRow, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	dims := make([]query.Dimension, 0, len(q.Dimensions))
	for _, d := range query.Dimensions() {
		if slices.Contains(q.Dimensions, d) {
			dims = append(dims, d)
		}
	}
	var out []query.StatsRow
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = run(ctx, tx, q, dims)
		return err
	})
	return out, err
}

// run runs q in tx, one snapshot of the read model: the scope, the
// figures and the names agree.
func run(ctx context.Context, tx *sqldb.Tx, q query.StatsRequest, dims []query.Dimension) ([]query.StatsRow, error) {
	var sc scope
	if q.Scope != uuid.Nil {
		err := tx.QueryRow(ctx, "SELECT unit_no, depth FROM rm_stats_units WHERE unit_id = $1", q.Scope.String()).Scan(&sc.no, &sc.depth)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if len(dims) == 0 {
				return []query.StatsRow{{}}, nil
			}
			return nil, nil
		case err != nil:
			return nil, fmt.Errorf("stats: scope: %w", err)
		case sc.depth < 0 || sc.depth > maxDepth:
			return nil, fmt.Errorf("stats: scope %s at depth %d", q.Scope, sc.depth)
		}
	}
	stmt, args := build(dims, q, sc)
	rows, err := tx.Query(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: query: %w", err)
	}
	defer rows.Close()
	type group struct {
		keys []int64 // of dims, in order
		row  query.StatsRow
	}
	var groups []group
	for rows.Next() {
		g := group{keys: make([]int64, len(dims))}
		dest := make([]any, 0, len(dims)+4)
		for i := range g.keys {
			dest = append(dest, &g.keys[i])
		}
		dest = append(dest, &g.row.Cases, &g.row.Employees, &g.row.ApprovedFen, &g.row.PaidFen)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("stats: query: %w", err)
		}
		groups = append(groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: query: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("stats: query: %w", err)
	}
	terms, err := loadTerms(ctx, tx, dims)
	if err != nil {
		return nil, err
	}
	var units map[int64]unitName
	if slices.Contains(dims, query.DimUnit) {
		var nos []int64
		for i := range groups {
			if k := &groups[i].keys[0]; *k == 0 { // a case filed at the scope itself
				*k = sc.no
			}
			nos = append(nos, groups[i].keys[0])
		}
		if units, err = nameUnits(ctx, tx, nos); err != nil {
			return nil, err
		}
	}
	for i := range groups {
		g := &groups[i]
		for j, d := range dims {
			k := g.keys[j]
			switch d {
			case query.DimUnit:
				g.row.UnitID, g.row.UnitName = units[k].id, units[k].name
			case query.DimMonth:
				g.row.Month = fmt.Sprintf("%04d-%02d", k/100, k%100)
			default:
				t, ok := terms[k]
				if !ok || t.kind != termKind[d] {
					return nil, fmt.Errorf("stats: %s number %d has no term", d, k)
				}
				setTerm(&g.row, d, t.term)
			}
		}
	}
	slices.SortFunc(groups, func(a, b group) int {
		if len(dims) > 0 && dims[0] == query.DimUnit && a.keys[0] != b.keys[0] {
			if a.keys[0] < b.keys[0] {
				return -1
			}
			return 1
		}
		for _, x := range [][2]string{{a.row.Category, b.row.Category}, {a.row.Cause, b.row.Cause},
			{a.row.StandardCode, b.row.StandardCode}, {a.row.BudgetLine, b.row.BudgetLine}, {a.row.Month, b.row.Month}} {
			if c := strings.Compare(x[0], x[1]); c != 0 {
				return c
			}
		}
		return 0
	})
	out := make([]query.StatsRow, len(groups))
	for i, g := range groups {
		out[i] = g.row
	}
	return addVisits(ctx, tx, q, dims, sc, out)
}

// build writes the statement answering q grouped by dims (in the order of
// Dimensions()) within sc. Its columns are the dimensions' numbers (the
// unit's unit_no, 0 for the scope itself; terms; YYYYMM), then cases,
// employees, approved and paid. Only fixed strings reach the text; values
// are parameters.
func build(dims []query.Dimension, q query.StatsRequest, sc scope) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// Grouped by cause, the cause rows, which carry everything else too.
	from := "rm_stats_cases f"
	if slices.Contains(dims, query.DimCause) {
		from = "rm_stats_case_causes f"
	}
	var where []string
	if sc.no != 0 {
		where = append(where, fmt.Sprintf("f.u%d = %s", sc.depth, arg(sc.no)))
	}
	if q.From != "" {
		where = append(where, "f.month >= "+arg(monthNumber(q.From)))
	}
	if q.To != "" {
		where = append(where, "f.month <= "+arg(monthNumber(q.To)))
	}
	exprs := make([]string, len(dims))
	for i, d := range dims {
		exprs[i] = column[d]
		if d == query.DimUnit {
			exprs[i] = unitColumn(sc)
		}
	}
	// COUNT(DISTINCT) of an integer, grouped by integers: PostgreSQL
	// sorts the group keys and each group's employee numbers, which
	// measured faster than grouping by employee first and counting the
	// groups, and three times faster than grouping by text.
	cols := append(slices.Clone(exprs), "COUNT(*)", "COUNT(DISTINCT f.employee_no)",
		"COALESCE(CAST(SUM(f.approved_fen) AS BIGINT), 0)", "COALESCE(CAST(SUM(f.paid_fen) AS BIGINT), 0)")
	stmt := "SELECT " + strings.Join(cols, ", ") + " FROM " + from
	if len(where) > 0 {
		stmt += " WHERE " + strings.Join(where, " AND ")
	}
	if len(exprs) > 0 {
		stmt += " GROUP BY " + strings.Join(exprs, ", ")
	}
	return stmt, args
}

// unitColumn groups by unit within sc: the child of the scope a row of
// f (a case, or a unit of rm_stats_units) is under, that is the ancestor
// one level below the scope, 0 at the scope itself; a scope at the lowest
// level is its own only group.
func unitColumn(sc scope) string {
	switch {
	case sc.no == 0:
		return "f.u0"
	case sc.depth < maxDepth:
		return fmt.Sprintf("f.u%d", sc.depth+1)
	default:
		return fmt.Sprintf("f.u%d", sc.depth)
	}
}

// setTerm fills the field of text dimension d.
func setTerm(r *query.StatsRow, d query.Dimension, term string) {
	switch d {
	case query.DimCategory:
		r.Category = term
	case query.DimCause:
		r.Cause = term
	case query.DimStandard:
		r.StandardCode = term
	case query.DimLine:
		r.BudgetLine = term
	}
}

// loadTerms returns the terms of the text dimensions among dims, by
// number.
func loadTerms(ctx context.Context, tx *sqldb.Tx, dims []query.Dimension) (map[int64]term, error) {
	var args []any
	var ph []string
	for _, d := range dims {
		if kind, ok := termKind[d]; ok {
			args = append(args, kind)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	out := map[int64]term{}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, "SELECT term_no, kind, term FROM rm_stats_terms WHERE kind IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("stats: terms: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var no int64
		var t term
		if err := rows.Scan(&no, &t.kind, &t.term); err != nil {
			return nil, fmt.Errorf("stats: terms: %w", err)
		}
		out[no] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: terms: %w", err)
	}
	return out, nil
}

type unitName struct {
	id   uuid.UUID
	name string
}

// nameUnits returns the ids and names of the units numbered nos.
func nameUnits(ctx context.Context, tx *sqldb.Tx, nos []int64) (map[int64]unitName, error) {
	units := map[int64]unitName{}
	var args []any
	var ph []string
	for _, no := range nos {
		if _, ok := units[no]; !ok {
			units[no] = unitName{}
			args = append(args, no)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(args) == 0 {
		return units, nil
	}
	res, err := tx.Query(ctx, "SELECT unit_no, unit_id, name FROM rm_stats_units WHERE unit_no IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("stats: unit names: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var no int64
		var id, name string
		if err := res.Scan(&no, &id, &name); err != nil {
			return nil, fmt.Errorf("stats: unit names: %w", err)
		}
		u, err := uuid.Parse(id)
		if err != nil {
			return nil, fmt.Errorf("stats: unit names: %w", err)
		}
		units[no] = unitName{u, name}
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("stats: unit names: %w", err)
	}
	return units, nil
}
