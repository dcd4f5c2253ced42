package budgets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Row is one budget's figures, in fen.
type Row struct {
	BudgetID          uuid.UUID
	UnitID            uuid.UUID
	Year              int
	Line              string
	AllocatedFen      int64
	ReservedFen       int64
	SpentFen          int64
	AvailableFen      int64
	AllocatedPosition int64
	UpdatedPosition   int64
}

const columns = `budget_id, unit_id, year, line, allocated_fen, reserved_fen, spent_fen, available_fen,
	allocated_position, updated_position`

// Get returns budget id as the read model has it; a budget it does not
// hold (yet) is an error matching event.ErrNotFound.
func Get(ctx context.Context, db *sqldb.DB, id uuid.UUID) (Row, error) {
	r, err := scan(db.QueryRow(ctx, "SELECT "+columns+" FROM rm_budgets WHERE budget_id = $1", id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return Row{}, fmt.Errorf("budget %s: %w", id, event.ErrNotFound)
	}
	if err != nil {
		return Row{}, fmt.Errorf("budgets: get %s: %w", id, err)
	}
	return r, nil
}

// Filter selects budgets. Zero fields do not filter, except UnitIDs and
// Within, where nil means no bound and an empty non-nil slice means
// nothing. UnitIDs bounds the budgets to these exact units; Within to the
// subtrees of these units (the units themselves and everything below
// them, as rm_units knows the organisation). After is the cursor returned
// by the previous page (0 for the first); Limit is the page size, 50 when
// 0 or less, at most 500.
type Filter struct {
	UnitIDs []uuid.UUID
	Within  []uuid.UUID
	Year    int
	Line    string
	After   int64
	Limit   int
}

// List returns a page of the budgets matching f in the order they were
// allocated, and the cursor of the next page: 0 when this page is the
// last. Every matching budget appears on exactly one page, however the
// pages are fetched.
func List(ctx context.Context, db *sqldb.DB, f Filter) ([]Row, int64, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	if f.UnitIDs != nil && len(f.UnitIDs) == 0 || f.Within != nil && len(f.Within) == 0 {
		return []Row{}, 0, nil
	}
	where := []string{"allocated_position > $1"}
	args := []any{f.After}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	list := func(ids []uuid.UUID) string {
		ph := make([]string, len(ids))
		for i, u := range ids {
			ph[i] = arg(u.String())
		}
		return strings.Join(ph, ", ")
	}
	if f.UnitIDs != nil {
		where = append(where, "unit_id IN ("+list(f.UnitIDs)+")")
	}
	if f.Within != nil {
		where = append(where, `unit_id IN (SELECT u.unit_id FROM rm_units u JOIN rm_units top
			ON u.path LIKE top.path || '%' WHERE top.unit_id IN (`+list(f.Within)+"))")
	}
	if f.Year != 0 {
		where = append(where, "year = "+arg(f.Year))
	}
	if f.Line != "" {
		where = append(where, "line = "+arg(f.Line))
	}
	q := "SELECT " + columns + " FROM rm_budgets WHERE " + strings.Join(where, " AND ") +
		" ORDER BY allocated_position LIMIT " + arg(limit+1)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("budgets: list: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("budgets: list: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("budgets: list: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].AllocatedPosition, nil
	}
	return out, 0, nil
}

func scan(s interface{ Scan(...any) error }) (Row, error) {
	var r Row
	var id, unit string
	if err := s.Scan(&id, &unit, &r.Year, &r.Line, &r.AllocatedFen, &r.ReservedFen, &r.SpentFen, &r.AvailableFen,
		&r.AllocatedPosition, &r.UpdatedPosition); err != nil {
		return Row{}, err
	}
	var err error
	if r.BudgetID, err = uuid.Parse(id); err != nil {
		return Row{}, err
	}
	if r.UnitID, err = uuid.Parse(unit); err != nil {
		return Row{}, err
	}
	return r, nil
}
