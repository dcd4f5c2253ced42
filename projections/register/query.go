package register

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/care"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// List returns a page of the register rows f selects, in order of entry,
// and the cursor of the next page (0 after the last).
func List(ctx context.Context, db *sqldb.DB, f query.RegisterFilter) ([]query.RegisterRow, int64, error) {
	l := readmodel.NewList("position", f.After)
	if f.Within != nil {
		if len(f.Within) == 0 {
			return []query.RegisterRow{}, 0, nil
		}
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Under != uuid.Nil {
		l.InSubtrees("unit_id", []uuid.UUID{f.Under})
	}
	l.Equal("level", string(f.Level))
	l.Equal("status", f.Status)
	if f.ReviewOverdue {
		l.Where("status = " + l.Arg(StatusActive) + " AND review_due < " + l.Arg(f.Today))
	}
	return readmodel.Fetch(ctx, db, l, `employee_id, unit_id, level, causes, household_size, dependants, income_band,
		age_band, since, review_due, status, exit_reason, position`, "rm_register", "position", f.Size(), scan,
		func(r query.RegisterRow) int64 { return r.Position })
}

func scan(row readmodel.Scanner) (query.RegisterRow, error) {
	var r query.RegisterRow
	var employee, unit, level, causes string
	h := &r.Household
	if err := row.Scan(&employee, &unit, &level, &causes, &h.Size, &h.Dependants, &h.IncomeBand, &h.AgeBand,
		&r.Since, &r.ReviewDue, &r.Status, &r.ExitReason, &r.Position); err != nil {
		return r, err
	}
	r.Level = care.Level(level)
	if err := json.Unmarshal([]byte(causes), &r.Causes); err != nil {
		return r, err
	}
	return r, readmodel.ParseIDs(map[*uuid.UUID]string{&r.EmployeeID: employee, &r.UnitID: unit})
}
