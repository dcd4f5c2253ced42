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
	DimCategory: "f.category",
	DimCause:    "c.cause",
	DimStandard: "f.standard_code",
	DimLine:     "f.budget_line",
	DimMonth:    "f.month",
}

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
// established; the other dimensions by their text. With no
// dimensions it returns exactly one row, the totals. A Scope the read
// model does not know (yet) has no cases. One SQL statement serves
// PostgreSQL and SQLite; its cost grows with the cases in scope and
// period, which it reads once.
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
	var sc scope
	if q.Scope != uuid.Nil {
		err := db.QueryRow(ctx, "SELECT unit_no, depth FROM rm_stats_units WHERE unit_id = $1", q.Scope.String()).Scan(&sc.no, &sc.depth)
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
	rows, err := db.Query(ctx, stmt, args...)
	if err != nil {
		return nil, fmt.Errorf("stats: query: %w", err)
	}
	defer rows.Close()
	var out []Row
	var unitKeys []int64
	for rows.Next() {
		var r Row
		keys := make([]any, len(dims))
		var unitKey int64
		dest := make([]any, 0, len(dims)+4)
		for i, d := range dims {
			if d == DimUnit {
				dest = append(dest, &unitKey)
			} else {
				keys[i] = new(string)
				dest = append(dest, keys[i])
			}
		}
		dest = append(dest, &r.Cases, &r.Employees, &r.ApprovedFen, &r.PaidFen)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("stats: query: %w", err)
		}
		for i, d := range dims {
			if d != DimUnit {
				r.set(d, *keys[i].(*string))
			}
		}
		if unitKey == 0 { // a case filed at the scope itself
			unitKey = sc.no
		}
		out = append(out, r)
		unitKeys = append(unitKeys, unitKey)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stats: query: %w", err)
	}
	if slices.Contains(dims, DimUnit) {
		if err := nameUnits(ctx, db, out, unitKeys); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// build writes the statement answering q grouped by dims (in the order of
// Dimensions()) within sc. Its columns are the dimensions' keys (the unit
// as a unit_no, 0 for the scope itself), then cases, employees, approved
// and paid. Only fixed strings reach the text; values are parameters.
func build(dims []Dimension, q Request, sc scope) (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	from := "rm_stats_cases f"
	var where []string
	if sc.no != 0 || slices.Contains(dims, DimUnit) {
		from += " JOIN rm_stats_units u ON u.unit_no = f.unit_no"
	}
	if sc.no != 0 {
		where = append(where, fmt.Sprintf("u.u%d = %s", sc.depth, arg(sc.no)))
	}
	if slices.Contains(dims, DimCause) {
		from += " JOIN rm_stats_case_causes c ON c.case_no = f.case_no"
	}
	if q.From != "" {
		where = append(where, "f.month >= "+arg(q.From))
	}
	if q.To != "" {
		where = append(where, "f.month <= "+arg(q.To))
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
				exprs[i] = "u.u0"
			case sc.depth < maxDepth:
				exprs[i] = fmt.Sprintf("u.u%d", sc.depth+1)
			default:
				exprs[i] = fmt.Sprintf("u.u%d", sc.depth)
			}
		}
	}
	// Distinct employees without COUNT(DISTINCT): group by employee first,
	// then count the employee groups; both levels hash-aggregate.
	inner := make([]string, len(exprs))
	outer := make([]string, len(exprs))
	for i, x := range exprs {
		inner[i] = fmt.Sprintf("%s AS d%d", x, i)
		outer[i] = fmt.Sprintf("g.d%d", i)
	}
	stmt := "SELECT " + strings.Join(append(slices.Clone(inner), "f.employee_no",
		"COUNT(*) AS n", "SUM(f.approved_fen) AS approved", "SUM(f.paid_fen) AS paid"), ", ") +
		" FROM " + from
	if len(where) > 0 {
		stmt += " WHERE " + strings.Join(where, " AND ")
	}
	stmt += " GROUP BY " + strings.Join(append(slices.Clone(exprs), "f.employee_no"), ", ")
	stmt = "SELECT " + strings.Join(append(slices.Clone(outer),
		"COALESCE(CAST(SUM(g.n) AS BIGINT), 0)", "COUNT(*)",
		"COALESCE(CAST(SUM(g.approved) AS BIGINT), 0)", "COALESCE(CAST(SUM(g.paid) AS BIGINT), 0)"), ", ") +
		" FROM (" + stmt + ") g"
	if len(outer) > 0 {
		stmt += " GROUP BY " + strings.Join(outer, ", ") + " ORDER BY " + strings.Join(outer, ", ")
	}
	return stmt, args
}

// set fills the field of dimension d, other than the unit, from its key.
func (r *Row) set(d Dimension, key string) {
	switch d {
	case DimCategory:
		r.Category = key
	case DimCause:
		r.Cause = key
	case DimStandard:
		r.StandardCode = key
	case DimLine:
		r.BudgetLine = key
	case DimMonth:
		r.Month = key
	}
}

// nameUnits sets UnitID and UnitName of rows[i] from unit number nos[i].
func nameUnits(ctx context.Context, db *sqldb.DB, rows []Row, nos []int64) error {
	type unit struct {
		id   uuid.UUID
		name string
	}
	units := map[int64]unit{}
	var args []any
	var ph []string
	for _, no := range nos {
		if _, ok := units[no]; !ok {
			units[no] = unit{}
			args = append(args, no)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(args) == 0 {
		return nil
	}
	res, err := db.Query(ctx, "SELECT unit_no, unit_id, name FROM rm_stats_units WHERE unit_no IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return fmt.Errorf("stats: unit names: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var no int64
		var id, name string
		if err := res.Scan(&no, &id, &name); err != nil {
			return fmt.Errorf("stats: unit names: %w", err)
		}
		u, err := uuid.Parse(id)
		if err != nil {
			return fmt.Errorf("stats: unit names: %w", err)
		}
		units[no] = unit{u, name}
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("stats: unit names: %w", err)
	}
	for i, no := range nos {
		rows[i].UnitID, rows[i].UnitName = units[no].id, units[no].name
	}
	return nil
}
