package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/internal/sqldb"
)

// Row is one case of the list.
type Row struct {
	CaseID          uuid.UUID
	EmployeeID      uuid.UUID
	UnitID          uuid.UUID
	StandardCode    string
	Category        string
	Status          casework.Status
	RequestedFen    int64
	ApprovedFen     int64
	PaidFen         int64
	OpenedAt        time.Time
	OpenedPosition  int64
	UpdatedPosition int64
}

// Filter selects cases. Zero fields do not filter, except Within and
// UnitIDs, where nil means no bound and an empty non-nil slice means
// nothing. Within bounds the cases to the subtrees of these units (the
// units themselves and everything below them, as rm_units knows the
// organisation); UnitIDs to these exact units.
// OpenedFrom and OpenedTo bound when the case was opened: from inclusive,
// to exclusive, either zero for no bound. After is the cursor returned by the previous page (0 for the first);
// Limit is the page size, 50 when 0, at most 500.
type Filter struct {
	Within       []uuid.UUID
	UnitIDs      []uuid.UUID
	Under        uuid.UUID
	Status       casework.Status
	EmployeeID   uuid.UUID
	StandardCode string
	OpenedFrom   time.Time
	OpenedTo     time.Time
	After        int64
	Limit        int
}

// List returns a page of the cases matching f in the order they were
// opened, and the cursor of the next page: 0 when this page is the last.
// Every matching case appears on exactly one page, however the pages are
// fetched.
func List(ctx context.Context, db *sqldb.DB, f Filter) ([]Row, int64, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	if f.UnitIDs != nil && len(f.UnitIDs) == 0 || f.Within != nil && len(f.Within) == 0 {
		return nil, 0, nil
	}
	where := []string{"opened_position > $1"}
	args := []any{f.After}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.UnitIDs != nil {
		ph := make([]string, len(f.UnitIDs))
		for i, u := range f.UnitIDs {
			ph[i] = arg(u.String())
		}
		where = append(where, "unit_id IN ("+strings.Join(ph, ", ")+")")
	}
	subtrees := func(roots []uuid.UUID) string {
		ph := make([]string, len(roots))
		for i, u := range roots {
			ph[i] = arg(u.String())
		}
		return `unit_id IN (SELECT u.unit_id FROM rm_units u JOIN rm_units top
			ON u.path LIKE top.path || '%' WHERE top.unit_id IN (` + strings.Join(ph, ", ") + "))"
	}
	if f.Within != nil {
		where = append(where, subtrees(f.Within))
	}
	if f.Under != uuid.Nil {
		where = append(where, subtrees([]uuid.UUID{f.Under}))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.EmployeeID != uuid.Nil {
		where = append(where, "employee_id = "+arg(f.EmployeeID.String()))
	}
	if f.StandardCode != "" {
		where = append(where, "standard_code = "+arg(f.StandardCode))
	}
	if !f.OpenedFrom.IsZero() {
		where = append(where, "opened_at >= "+arg(f.OpenedFrom.UTC().Format(time.RFC3339)))
	}
	if !f.OpenedTo.IsZero() {
		where = append(where, "opened_at < "+arg(f.OpenedTo.UTC().Format(time.RFC3339)))
	}
	q := `SELECT case_id, employee_id, unit_id, standard_code, category, status,
		requested_fen, approved_fen, paid_fen, opened_at, opened_position, updated_position
		FROM rm_cases WHERE ` + strings.Join(where, " AND ") +
		" ORDER BY opened_position LIMIT " + arg(limit+1)
	rows, err := db.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("cases: list: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var caseID, employeeID, unitID, status, openedAt string
		if err := rows.Scan(&caseID, &employeeID, &unitID, &r.StandardCode, &r.Category, &status,
			&r.RequestedFen, &r.ApprovedFen, &r.PaidFen, &openedAt, &r.OpenedPosition, &r.UpdatedPosition); err != nil {
			return nil, 0, fmt.Errorf("cases: list: %w", err)
		}
		if r.OpenedAt, err = time.Parse(time.RFC3339, openedAt); err != nil {
			return nil, 0, fmt.Errorf("cases: list: %w", err)
		}
		for _, p := range []struct {
			dst *uuid.UUID
			src string
		}{{&r.CaseID, caseID}, {&r.EmployeeID, employeeID}, {&r.UnitID, unitID}} {
			if *p.dst, err = uuid.Parse(p.src); err != nil {
				return nil, 0, fmt.Errorf("cases: list: %w", err)
			}
		}
		r.Status = casework.Status(status)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("cases: list: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].OpenedPosition, nil
	}
	return out, 0, nil
}
