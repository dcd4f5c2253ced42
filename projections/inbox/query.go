package inbox

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
)

// Item is a step waiting for an account's decision.
type Item struct {
	CaseID       uuid.UUID
	Step         string
	AccountID    uuid.UUID
	UnitID       uuid.UUID
	EmployeeID   uuid.UUID
	StandardCode string
	AmountFen    int64
	WaitingSince time.Time
	Position     int64
}

// List returns a page of the steps waiting for account, oldest turn
// first, and the cursor of the next page: 0 when this page is the last.
// after is the cursor returned by the previous page (0 for the first);
// limit is the page size, 50 when 0 or less, at most 500. A step that
// becomes the account's turn while it pages comes after every step it has
// already seen, so it appears on a later page.
func List(ctx context.Context, db *sqldb.DB, account uuid.UUID, after int64, limit int) ([]Item, int64, error) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	rows, err := db.Query(ctx, `SELECT case_id, step, account_id, unit_id, employee_id, standard_code,
		amount_fen, waiting_since, position FROM rm_inbox
		WHERE account_id = $1 AND position > $2 ORDER BY position LIMIT $3`, account.String(), after, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("inbox: list: %w", err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		var it Item
		var caseID, accountID, unitID, employeeID, since string
		if err := rows.Scan(&caseID, &it.Step, &accountID, &unitID, &employeeID, &it.StandardCode,
			&it.AmountFen, &since, &it.Position); err != nil {
			return nil, 0, fmt.Errorf("inbox: list: %w", err)
		}
		if it.WaitingSince, err = time.Parse(time.RFC3339, since); err != nil {
			return nil, 0, fmt.Errorf("inbox: list: %w", err)
		}
		for _, p := range []struct {
			dst *uuid.UUID
			src string
		}{{&it.CaseID, caseID}, {&it.AccountID, accountID}, {&it.UnitID, unitID}, {&it.EmployeeID, employeeID}} {
			if *p.dst, err = uuid.Parse(p.src); err != nil {
				return nil, 0, fmt.Errorf("inbox: list: %w", err)
			}
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("inbox: list: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].Position, nil
	}
	return out, 0, nil
}
