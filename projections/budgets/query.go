package budgets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

const columns = `budget_id, unit_id, year, line, allocated_fen, reserved_fen, spent_fen, available_fen,
	allocated_position, updated_position`

// Get returns budget id as the read model has it; a budget it does not
// hold (yet) is an error matching event.ErrNotFound.
func Get(ctx context.Context, db *sqldb.DB, id uuid.UUID) (query.BudgetRow, error) {
	r, err := scan(db.QueryRow(ctx, "SELECT "+columns+" FROM rm_budgets WHERE budget_id = $1", id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return query.BudgetRow{}, fmt.Errorf("budget %s: %w", id, event.ErrNotFound)
	}
	if err != nil {
		return query.BudgetRow{}, fmt.Errorf("budgets: get %s: %w", id, err)
	}
	return r, nil
}

// List returns a page of the budgets matching f in the order they were
// allocated, and the cursor of the next page: 0 when this page is the
// last. Every matching budget appears on exactly one page, however the
// pages are fetched.
func List(ctx context.Context, db *sqldb.DB, f query.BudgetFilter) ([]query.BudgetRow, int64, error) {
	if f.UnitIDs != nil && len(f.UnitIDs) == 0 || f.Within != nil && len(f.Within) == 0 {
		return []query.BudgetRow{}, 0, nil
	}
	l := readmodel.NewList("allocated_position", f.After)
	if f.UnitIDs != nil {
		l.In("unit_id", f.UnitIDs)
	}
	if f.Within != nil {
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Year != 0 {
		l.Where("year = " + l.Arg(f.Year))
	}
	l.Equal("line", f.Line)
	return readmodel.Fetch(ctx, db, l, columns, "rm_budgets", "allocated_position", f.Size(), scan,
		func(r query.BudgetRow) int64 { return r.AllocatedPosition })
}

func scan(s readmodel.Scanner) (query.BudgetRow, error) {
	var r query.BudgetRow
	var id, unit string
	if err := s.Scan(&id, &unit, &r.Year, &r.Line, &r.AllocatedFen, &r.ReservedFen, &r.SpentFen, &r.AvailableFen,
		&r.AllocatedPosition, &r.UpdatedPosition); err != nil {
		return r, err
	}
	return r, readmodel.ParseIDs(map[*uuid.UUID]string{&r.BudgetID: id, &r.UnitID: unit})
}
