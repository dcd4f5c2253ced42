package register

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// profileColumns maps a dimension to the SQL that gives its value.
var profileColumns = map[string]string{
	"unit":           "r.unit_id",
	"level":          "r.level",
	"cause":          "c.cause",
	"age_band":       "r.age_band",
	"income_band":    "r.income_band",
	"household_size": "CAST(r.household_size AS TEXT)",
	"dependants":     "CAST(r.dependants AS TEXT)",
	"month":          "SUBSTR(r.since, 1, 7)",
	"status":         "r.status",
}

// Profile returns the register's figures grouped by r.GroupBy, each of
// query.ProfileDimensions, in the order of the groups' values.
func Profile(ctx context.Context, db *sqldb.DB, r query.ProfileRequest) ([]query.ProfileRow, error) {
	l := readmodel.NewList("r.position", 0)
	if r.Within != nil {
		if len(r.Within) == 0 {
			return []query.ProfileRow{}, nil
		}
		l.InSubtrees("r.unit_id", r.Within)
	}
	if r.Under != uuid.Nil {
		l.InSubtrees("r.unit_id", []uuid.UUID{r.Under})
	}
	l.Equal("r.status", r.Status)
	var cols []string
	for _, d := range r.GroupBy {
		col, ok := profileColumns[d]
		if !ok || slices.Contains(r.GroupBy[:slices.Index(r.GroupBy, d)], d) {
			return nil, fmt.Errorf("register: profile: dimension %q unknown or repeated", d)
		}
		cols = append(cols, col)
	}
	from := "rm_register r"
	if slices.Contains(r.GroupBy, "cause") {
		from += " JOIN rm_register_causes c ON c.employee_id = r.employee_id"
	}
	// Each employee's case figures are summed first, so that joining them
	// does not count the employee once per case.
	from += ` LEFT JOIN (SELECT employee_id, COUNT(*) AS cases, SUM(approved_fen) AS approved_fen,
		SUM(paid_fen) AS paid_fen FROM rm_register_cases GROUP BY employee_id) k ON k.employee_id = r.employee_id`
	selectCols, group := "", ""
	if len(cols) > 0 {
		selectCols = strings.Join(cols, ", ") + ", "
		group = " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	q := "SELECT " + selectCols + `COUNT(*), COALESCE(SUM(k.cases), 0), COALESCE(SUM(k.approved_fen), 0),
		COALESCE(SUM(k.paid_fen), 0) FROM ` + from + " WHERE " + l.Conditions() + group
	rows, err := db.Query(ctx, q, l.Args()...)
	if err != nil {
		return nil, fmt.Errorf("register: profile: %w", err)
	}
	defer rows.Close()
	out := []query.ProfileRow{}
	for rows.Next() {
		values := make([]string, len(cols))
		var row query.ProfileRow
		dest := make([]any, 0, len(cols)+4)
		for i := range values {
			dest = append(dest, &values[i])
		}
		dest = append(dest, &row.Employees, &row.Cases, &row.ApprovedFen, &row.PaidFen)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("register: profile: %w", err)
		}
		row.Dimensions = map[string]string{}
		for i, d := range r.GroupBy {
			row.Dimensions[d] = values[i]
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
