package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

const columns = `payment_id, case_id, employee_id, unit_id, budget_id, amount_fen, status, bank_ref,
	confirmed_on, fail_reason, instructed_at, instructed_position, updated_position`

// Get returns payment id as the read model has it; a payment it does not
// hold (yet) is an error matching event.ErrNotFound.
func Get(ctx context.Context, db *sqldb.DB, id uuid.UUID) (query.PaymentRow, error) {
	r, err := scan(db.QueryRow(ctx, "SELECT "+columns+" FROM rm_payments WHERE payment_id = $1", id.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return query.PaymentRow{}, fmt.Errorf("payment %s: %w", id, event.ErrNotFound)
	}
	if err != nil {
		return query.PaymentRow{}, fmt.Errorf("payments: get %s: %w", id, err)
	}
	return r, nil
}

// List returns a page of the payments matching f in the order they were
// instructed, and the cursor of the next page: 0 when this page is the
// last. Every matching payment appears on exactly one page, however the
// pages are fetched.
func List(ctx context.Context, db *sqldb.DB, f query.PaymentFilter) ([]query.PaymentRow, int64, error) {
	if f.Within != nil && len(f.Within) == 0 {
		return []query.PaymentRow{}, 0, nil
	}
	l := readmodel.NewList("instructed_position", f.After)
	if f.Within != nil {
		l.InSubtrees("unit_id", f.Within)
	}
	l.Equal("status", string(f.Status))
	l.EqualID("case_id", f.CaseID)
	l.EqualID("employee_id", f.EmployeeID)
	l.EqualID("budget_id", f.BudgetID)
	return readmodel.Fetch(ctx, db, l, columns, "rm_payments", "instructed_position", f.Size(), scan,
		func(r query.PaymentRow) int64 { return r.InstructedPosition })
}

func scan(row readmodel.Scanner) (query.PaymentRow, error) {
	var r query.PaymentRow
	var paymentID, caseID, employeeID, unitID, budgetID, status, instructedAt string
	if err := row.Scan(&paymentID, &caseID, &employeeID, &unitID, &budgetID, &r.AmountFen, &status, &r.BankRef,
		&r.ConfirmedOn, &r.FailReason, &instructedAt, &r.InstructedPosition, &r.UpdatedPosition); err != nil {
		return r, err
	}
	var err error
	if r.InstructedAt, err = time.Parse(time.RFC3339, instructedAt); err != nil {
		return r, err
	}
	r.Status = payment.Status(status)
	return r, readmodel.ParseIDs(map[*uuid.UUID]string{&r.PaymentID: paymentID, &r.CaseID: caseID,
		&r.EmployeeID: employeeID, &r.UnitID: unitID, &r.BudgetID: budgetID})
}
