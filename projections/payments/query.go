package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/internal/sqldb"
)

// Row is one payment as the read model has it.
type Row struct {
	PaymentID          uuid.UUID
	CaseID             uuid.UUID
	EmployeeID         uuid.UUID
	UnitID             uuid.UUID
	BudgetID           uuid.UUID
	AmountFen          int64
	Status             payment.Status
	BankRef            string
	ConfirmedOn        string
	FailReason         string
	InstructedAt       time.Time
	InstructedPosition int64
	UpdatedPosition    int64
}

const columns = `payment_id, case_id, employee_id, unit_id, budget_id, amount_fen, status, bank_ref,
	confirmed_on, fail_reason, instructed_at, instructed_position, updated_position`

// Get returns payment id as the read model has it; a payment it does not
// hold (yet) is an error matching event.ErrNotFound.
func Get(ctx context.Context, db *sqldb.DB, id uuid.UUID) (Row, error) {
	r, err := scan(db.QueryRow(ctx, "SELECT "+columns+" FROM rm_payments WHERE payment_id = $1", id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return Row{}, fmt.Errorf("payment %s: %w", id, event.ErrNotFound)
	}
	if err != nil {
		return Row{}, fmt.Errorf("payments: get %s: %w", id, err)
	}
	return r, nil
}

// Filter selects payments. Zero fields do not filter, except Within, where
// nil means no bound and an empty non-nil slice means nothing. Within
// bounds the payments to the subtrees of these units (the units
// themselves and everything below them, as rm_units knows the
// organisation), by the unit of each payment's case. After is the cursor
// returned by the previous page (0 for the first); Limit is the page
// size, 50 when 0 or less, at most 500.
type Filter struct {
	Within     []uuid.UUID
	Status     payment.Status
	CaseID     uuid.UUID
	EmployeeID uuid.UUID
	BudgetID   uuid.UUID
	After      int64
	Limit      int
}

// MaxLimit is the largest page List returns.
const MaxLimit = 500

// List returns a page of the payments matching f in the order they were
// instructed, and the cursor of the next page: 0 when this page is the
// last. Every matching payment appears on exactly one page, however the
// pages are fetched.
func List(ctx context.Context, db *sqldb.DB, f Filter) ([]Row, int64, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > MaxLimit:
		limit = MaxLimit
	}
	if f.Within != nil && len(f.Within) == 0 {
		return nil, 0, nil
	}
	where := []string{"instructed_position > $1"}
	args := []any{f.After}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Within != nil {
		ph := make([]string, len(f.Within))
		for i, u := range f.Within {
			ph[i] = arg(u.String())
		}
		where = append(where, `unit_id IN (SELECT u.unit_id FROM rm_units u JOIN rm_units top
			ON u.path LIKE top.path || '%' WHERE top.unit_id IN (`+strings.Join(ph, ", ")+"))")
	}
	for _, c := range []struct {
		column string
		value  string
	}{
		{"status", string(f.Status)}, {"case_id", idOrEmpty(f.CaseID)},
		{"employee_id", idOrEmpty(f.EmployeeID)}, {"budget_id", idOrEmpty(f.BudgetID)},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	rows, err := db.Query(ctx, "SELECT "+columns+" FROM rm_payments WHERE "+strings.Join(where, " AND ")+
		" ORDER BY instructed_position LIMIT "+arg(limit+1), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("payments: list: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("payments: list: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("payments: list: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
		return out, out[limit-1].InstructedPosition, nil
	}
	return out, 0, nil
}

func idOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func scan(row interface{ Scan(...any) error }) (Row, error) {
	var r Row
	var paymentID, caseID, employeeID, unitID, budgetID, status, instructedAt string
	if err := row.Scan(&paymentID, &caseID, &employeeID, &unitID, &budgetID, &r.AmountFen, &status, &r.BankRef,
		&r.ConfirmedOn, &r.FailReason, &instructedAt, &r.InstructedPosition, &r.UpdatedPosition); err != nil {
		return Row{}, err
	}
	var err error
	if r.InstructedAt, err = time.Parse(time.RFC3339, instructedAt); err != nil {
		return Row{}, err
	}
	for _, p := range []struct {
		dst *uuid.UUID
		src string
	}{{&r.PaymentID, paymentID}, {&r.CaseID, caseID}, {&r.EmployeeID, employeeID}, {&r.UnitID, unitID}, {&r.BudgetID, budgetID}} {
		if *p.dst, err = uuid.Parse(p.src); err != nil {
			return Row{}, err
		}
	}
	r.Status = payment.Status(status)
	return r, nil
}
