package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
)

// Dimension is what statistics may be grouped by.
type Dimension string

// The dimensions, as the API names them.
const (
	DimUnit     Dimension = "unit"     // the scope's children, each with its subtree, and the scope itself
	DimCategory Dimension = "category" // hardship, medical, education
	DimCause    Dimension = "cause"    // cause of hardship named by the case
	DimStandard Dimension = "standard" // standard code
	DimLine     Dimension = "line"     // budget line (expenditure structure)
	DimMonth    Dimension = "month"    // YYYY-MM of opening
)

// Dimensions lists every dimension, in the order rows are sorted by.
func Dimensions() []Dimension {
	return []Dimension{DimUnit, DimCategory, DimCause, DimStandard, DimLine, DimMonth}
}

// column is the SQL expression grouping by a dimension. Only these fixed
// strings ever reach the query text; values are bound as parameters.
// The unit's expression depends on the scope's depth (build).
var column = map[Dimension]string{
	DimCategory: "f.category_no",
	DimCause:    "f.cause_no",
	DimStandard: "f.standard_no",
	DimLine:     "f.line_no",
	DimMonth:    "f.month",
}

// termKind is the kind in rm_stats_terms of a dimension's numbers.
var termKind = map[Dimension]string{DimCategory: "category", DimCause: "cause", DimStandard: "standard", DimLine: "line"}

// Request asks for figures grouped by Dimensions (none: one row of totals;
// a dimension named twice counts once). From and To bound the month of
// opening, YYYY-MM, both inclusive, "" for no bound. Scope bounds the
// cases to the subtree of one unit, uuid.Nil for the whole organisation.
//
// Grouped by unit, a row stands for a child of Scope with everything below
// it, or for Scope itself with the cases filed directly at it; with no
// Scope, for each root of the organisation with its whole tree.
type Request struct {
	Dimensions []Dimension
	From, To   string
	Scope      uuid.UUID
}

// Row is one group. Dimension fields not asked for are zero; UnitName is
// set with UnitID. Cases counts the group's cases, Employees the distinct
// employees they are for; a case with several causes counts in each
// cause's row, so rows grouped by cause may add up to more than the total.
type Row struct {
	UnitID       uuid.UUID
	UnitName     string
	Category     string
	Cause        string
	StandardCode string
	BudgetLine   string
	Month        string
	Cases        int64
	Employees    int64
	ApprovedFen  int64
	PaidFen      int64
}

// QueryError is a query refused as malformed: Field names the part
// (dimensions, from, to) and Reason what is wrong.
type QueryError struct{ Field, Reason string }

func (e *QueryError) Error() string { return "stats: " + e.Field + " " + e.Reason }

// ErrBadQuery matches every *QueryError.
var ErrBadQuery = errors.New("stats: bad query")

// Is makes errors.Is(err, ErrBadQuery) hold for a *QueryError.
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

// ParseDimension returns the dimension named s, or a *QueryError.
func ParseDimension(s string) (Dimension, error) {
	if d := Dimension(s); slices.Contains(Dimensions(), d) {
		return d, nil
	}
	return "", &QueryError{Field: "dimensions", Reason: fmt.Sprintf("has %q, not one of unit, category, cause, standard, line, month", s)}
}

// ValidMonth reports whether s is a month YYYY-MM.
func ValidMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// Validate checks q, returning the first problem as a *QueryError.
func (q Request) Validate() error {
	for _, d := range q.Dimensions {
		if _, err := ParseDimension(string(d)); err != nil {
			return err
		}
	}
	for _, m := range []struct{ field, v string }{{"from", q.From}, {"to", q.To}} {
		if m.v != "" && !ValidMonth(m.v) {
			return &QueryError{Field: m.field, Reason: "must be a month YYYY-MM"}
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To {
		return &QueryError{Field: "to", Reason: "must not be before from"}
	}
	return nil
}

// scope is where a query looks: the subtree of the unit numbered no at
// depth, or the whole organisation when no is 0.
type scope struct {
	no    int64
	depth int
}

// Query returns the figures q asks for, one row per group that has cases,
// sorted by the dimensions in the order of Dimensions() — units with the
// scope itself first, then its children in the order they were
// established; the other dimensions by their text. With no dimensions it
// returns exactly one row, the totals. A Scope the read model does not
// know (yet) has no cases. One SQL statement serves PostgreSQL and
// SQLite; its cost grows with the cases in scope and period, which it
// reads once.
func Query(ctx context.Context, db *sqldb.DB, q Request) ([]Row, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	dims := make([]Dimension, 0, len(q.Dimensions))
	for _, d := range Dimensions() {
		if slices.Contains(q.Dimensions, d) {
			dims = append(dims, d)
		}
	}
	var out []Row
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = query(ctx, tx, q, dims)
		return err
	})
	return out, err
}

// query runs q in tx, one snapshot of the read model: the scope, the
// figures and the names agree.
func query(ctx context.Context, tx *sqldb.Tx, q Request, dims []Dimension) ([]Row, error) {
	var sc scope
	if q.Scope != uuid.Nil {
		err := tx.QueryRow(ctx, "SELECT unit_no, depth FROM rm_stats_units WHERE unit_id = $1", q.Scope.String()).Scan(&sc.no, &sc.depth)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if len(dims) == 0 {
				return []Row{{}}, nil
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
		row  Row
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
	if slices.Contains(dims, DimUnit) {
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
			case DimUnit:
				g.row.UnitID, g.row.UnitName = units[k].id, units[k].name
			case DimMonth:
				g.row.Month = fmt.Sprintf("%04d-%02d", k/100, k%100)
			default:
				t, ok := terms[k]
				if !ok || t.kind != termKind[d] {
					return nil, fmt.Errorf("stats: %s number %d has no term", d, k)
				}
				g.row.set(d, t.term)
			}
		}
	}
	slices.SortFunc(groups, func(a, b group) int {
		if len(dims) > 0 && dims[0] == DimUnit && a.keys[0] != b.keys[0] {
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
	out := make([]Row, len(groups))
	for i, g := range groups {
		out[i] = g.row
	}
	return out, nil
}

// build writes the statement answering q grouped by dims (in the order of
// Dimensions()) within sc. Its columns are the dimensions' numbers (the
// unit's unit_no, 0 for the scope itself; terms; YYYYMM), then cases,
// employees, approved and paid. Only fixed strings reach the text; values
// are parameters.
func build(dims []Dimension, q Request, sc scope) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// Grouped by cause, the cause rows, which carry everything else too.
	from := "rm_stats_cases f"
	if slices.Contains(dims, DimCause) {
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
		if d == DimUnit {
			// The child of the scope a case is under: the ancestor one
			// level below the scope, 0 at the scope itself; a scope at the
			// lowest level is its own only group.
			switch {
			case sc.no == 0:
				exprs[i] = "f.u0"
			case sc.depth < maxDepth:
				exprs[i] = fmt.Sprintf("f.u%d", sc.depth+1)
			default:
				exprs[i] = fmt.Sprintf("f.u%d", sc.depth)
			}
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

// set fills the field of text dimension d.
func (r *Row) set(d Dimension, term string) {
	switch d {
	case DimCategory:
		r.Category = term
	case DimCause:
		r.Cause = term
	case DimStandard:
		r.StandardCode = term
	case DimLine:
		r.BudgetLine = term
	}
}

// loadTerms returns the terms of the text dimensions among dims, by
// number.
func loadTerms(ctx context.Context, tx *sqldb.Tx, dims []Dimension) (map[int64]term, error) {
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
