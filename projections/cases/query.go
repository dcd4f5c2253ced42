package cases

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/casework"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

const columns = `case_id, employee_id, unit_id, standard_code, category, status,
	requested_fen, approved_fen, paid_fen, opened_at, opened_position, updated_position`

// List returns a page of the cases matching f in the order they were
// opened, and the cursor of the next page: 0 when this page is the last.
// Every matching case appears on exactly one page, however the pages are
// fetched.
func List(ctx context.Context, db *sqldb.DB, f query.CaseFilter) ([]query.CaseRow, int64, error) {
	if f.UnitIDs != nil && len(f.UnitIDs) == 0 || f.Within != nil && len(f.Within) == 0 {
		return []query.CaseRow{}, 0, nil
	}
	l := readmodel.NewList("opened_position", f.After)
	if f.UnitIDs != nil {
		l.In("unit_id", f.UnitIDs)
	}
	if f.Within != nil {
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Under != uuid.Nil {
		l.InSubtrees("unit_id", []uuid.UUID{f.Under})
	}
	l.Equal("status", string(f.Status))
	l.EqualID("employee_id", f.EmployeeID)
	l.Equal("standard_code", f.StandardCode)
	if !f.OpenedFrom.IsZero() {
		l.Where("opened_at >= " + l.Arg(f.OpenedFrom.UTC().Format(time.RFC3339)))
	}
	if !f.OpenedTo.IsZero() {
		l.Where("opened_at < " + l.Arg(f.OpenedTo.UTC().Format(time.RFC3339)))
	}
	return readmodel.Fetch(ctx, db, l, columns, "rm_cases", "opened_position", f.Size(), scan,
		func(r query.CaseRow) int64 { return r.OpenedPosition })
}

func scan(row readmodel.Scanner) (query.CaseRow, error) {
	var r query.CaseRow
	var caseID, employeeID, unitID, status, openedAt string
	if err := row.Scan(&caseID, &employeeID, &unitID, &r.StandardCode, &r.Category, &status,
		&r.RequestedFen, &r.ApprovedFen, &r.PaidFen, &openedAt, &r.OpenedPosition, &r.UpdatedPosition); err != nil {
		return r, err
	}
	var err error
	if r.OpenedAt, err = time.Parse(time.RFC3339, openedAt); err != nil {
		return r, err
	}
	r.Status = casework.Status(status)
	return r, readmodel.ParseIDs(map[*uuid.UUID]string{&r.CaseID: caseID, &r.EmployeeID: employeeID, &r.UnitID: unitID})
}
