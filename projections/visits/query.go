package visits

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

const selected = `visit_id, unit_id, budget_id, occasion, visited_on, employees, employee_ids, cash_fen_each, goods,
	visitors, total_fen, corrections, registered_position, updated_position`

// List returns a page of the visits matching f in the order they were
// registered, and the cursor of the next page: 0 when this page is the
// last.
func List(ctx context.Context, db *sqldb.DB, f query.VisitFilter) ([]query.VisitRow, int64, error) {
	if f.Within != nil && len(f.Within) == 0 {
		return []query.VisitRow{}, 0, nil
	}
	l := readmodel.NewList("registered_position", f.After)
	if f.Within != nil {
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Under != uuid.Nil {
		l.InSubtrees("unit_id", []uuid.UUID{f.Under})
	}
	if f.EmployeeID != uuid.Nil {
		l.Where("employee_ids LIKE " + l.Arg("%"+f.EmployeeID.String()+"%"))
	}
	l.Equal("occasion", f.Occasion)
	return readmodel.Fetch(ctx, db, l, selected, "rm_visits", "registered_position", f.Size(), scan,
		func(r query.VisitRow) int64 { return r.RegisteredPosition })
}

func scan(s readmodel.Scanner) (query.VisitRow, error) {
	var r query.VisitRow
	var id, unit, budgetID, employees, goods, visitors string
	if err := s.Scan(&id, &unit, &budgetID, &r.Occasion, &r.VisitedOn, &r.Employees, &employees, &r.CashFenEach, &goods,
		&visitors, &r.TotalFen, &r.Corrections, &r.RegisteredPosition, &r.UpdatedPosition); err != nil {
		return r, err
	}
	if err := readmodel.ParseIDs(map[*uuid.UUID]string{&r.VisitID: id, &r.UnitID: unit, &r.BudgetID: budgetID}); err != nil {
		return r, err
	}
	var err error
	if r.EmployeeIDs, err = splitIDs(employees); err != nil {
		return r, err
	}
	if r.Visitors, err = splitIDs(visitors); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(goods), &r.Goods)
}

func splitIDs(s string) ([]uuid.UUID, error) {
	out := []uuid.UUID{}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		id, err := uuid.Parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}
