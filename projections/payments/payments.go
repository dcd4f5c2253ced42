// Package payments keeps rm_payments, every payment to an employee's bank
// account: its case, employee, unit, budget, amount and where the bank is
// with it, for the bank export (the instructed payments of a unit's
// subtree) and payment lists with cursor paging. It holds no personal
// data: the payee's bank account stays sealed in the payment's stream.
package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectPaymentsOnEvents.
const Name = "payments"

// Projection maintains rm_payments from the payments' streams, and the
// unit of each case from case.opened (a payment names its case, whose
// unit is fixed when the case is opened). It holds money, so it never
// skips: an event of a payment stream it cannot apply (of an unknown type,
// about a payment it has not seen instructed, of a case it has not seen
// opened, with a malformed payload or an amount out of range), or a
// payment.* event outside a payment stream, is an error and stops it
// there.
type Projection struct{}

// New returns the payments projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection.
//
// rm_payments holds one row per payment. amount_fen is in fen; status is
// instructed, confirmed or failed; bank_ref and confirmed_on (the bank's
// date, YYYY-MM-DD) are set once the bank confirms, fail_reason once it
// refuses, and are "" until then. instructed_at (RFC 3339, UTC) is when
// the payment was instructed and instructed_position the global position
// of payment.instructed, which orders payment lists (cursor paging);
// updated_position is that of the last event that changed the row.
//
// rm_payment_cases is what the projection remembers to get there: the
// unit of every case, from case.opened.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_payments", Create: []string{
			`CREATE TABLE {rm_payments} (
				payment_id          TEXT   PRIMARY KEY,
				case_id             TEXT   NOT NULL,
				employee_id         TEXT   NOT NULL,
				unit_id             TEXT   NOT NULL,
				budget_id           TEXT   NOT NULL,
				amount_fen          BIGINT NOT NULL,
				status              TEXT   NOT NULL,
				bank_ref            TEXT   NOT NULL,
				confirmed_on        TEXT   NOT NULL,
				fail_reason         TEXT   NOT NULL,
				instructed_at       TEXT   NOT NULL,
				instructed_position BIGINT NOT NULL UNIQUE,
				updated_position    BIGINT NOT NULL)`,
			`CREATE INDEX {rm_payments}_status_unit ON {rm_payments} (status, unit_id, instructed_position)`,
			`CREATE INDEX {rm_payments}_unit ON {rm_payments} (unit_id, instructed_position)`,
			`CREATE INDEX {rm_payments}_case ON {rm_payments} (case_id)`,
		}},
		{Name: "rm_payment_cases", Create: []string{
			`CREATE TABLE {rm_payment_cases} (
				case_id TEXT PRIMARY KEY,
				unit_id TEXT NOT NULL)`,
		}},
	}
}

const paymentPrefix = "payment-"

// Concerns implements readmodel.Selective: a case's opening (for its
// unit), every event of a payment's stream, and any payment event
// elsewhere (which it refuses).
func (Projection) Concerns(e event.Recorded) bool {
	return e.Type == casework.TypeCaseOpened || strings.HasPrefix(e.Stream, paymentPrefix) || strings.HasPrefix(e.Type, "payment.")
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if e.Type == casework.TypeCaseOpened {
		return caseOpened(ctx, tx, e)
	}
	if !p.Concerns(e) {
		return nil
	}
	id, err := payment.ParseStream(e.Stream)
	if err != nil {
		return fmt.Errorf("payments: %s at position %d: %w", e.Type, e.Position, err)
	}
	switch e.Type {
	case payment.TypeInstructed:
		return instructed(ctx, tx, id, e)
	case payment.TypeConfirmed:
		var p payment.Confirmed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		if p.BankRef == "" {
			return fmt.Errorf("payments: %s at position %d: bank_ref is empty", e.Type, e.Position)
		}
		return settle(ctx, tx, id, e, "status = $3, bank_ref = $4, confirmed_on = $5",
			string(payment.StatusConfirmed), p.BankRef, p.ConfirmedAt)
	case payment.TypeFailed:
		var p payment.Failed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return settle(ctx, tx, id, e, "status = $3, fail_reason = $4", string(payment.StatusFailed), p.Reason)
	default:
		return fmt.Errorf("payments: unknown payment event type %q at position %d", e.Type, e.Position)
	}
}

// caseOpened remembers the unit of a case.
func caseOpened(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	var p casework.CaseOpened
	if err := event.Decode(e, &p); err != nil {
		return err
	}
	if casework.CaseStream(p.CaseID) != e.Stream || p.UnitID == uuid.Nil {
		return fmt.Errorf("payments: case.opened at position %d: case %s of unit %s in stream %s", e.Position, p.CaseID, p.UnitID, e.Stream)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO {rm_payment_cases} (case_id, unit_id) VALUES ($1, $2)`,
		p.CaseID.String(), p.UnitID.String()); err != nil {
		return fmt.Errorf("payments: case %s: %w", p.CaseID, err)
	}
	return nil
}

func instructed(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded) error {
	var p payment.Instructed
	if err := event.Decode(e, &p); err != nil {
		return err
	}
	switch {
	case p.PaymentID != id:
		return fmt.Errorf("payments: payment.instructed for %s in stream %s", p.PaymentID, e.Stream)
	case p.CaseID == uuid.Nil || p.EmployeeID == uuid.Nil || p.BudgetID == uuid.Nil:
		return fmt.Errorf("payments: payment.instructed at position %d without its case, employee or budget", e.Position)
	case p.AmountFen <= 0 || p.AmountFen > payment.MaxFen:
		return fmt.Errorf("payments: payment.instructed at position %d: amount_fen %d is not 1 to %d", e.Position, p.AmountFen, int64(payment.MaxFen))
	}
	var unit string
	err := tx.QueryRow(ctx, `SELECT unit_id FROM {rm_payment_cases} WHERE case_id = $1`, p.CaseID.String()).Scan(&unit)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("payments: payment.instructed at position %d: case %s not opened", e.Position, p.CaseID)
	}
	if err != nil {
		return fmt.Errorf("payments: payment.instructed at position %d: %w", e.Position, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO {rm_payments} (payment_id, case_id, employee_id, unit_id, budget_id,
		amount_fen, status, bank_ref, confirmed_on, fail_reason, instructed_at, instructed_position, updated_position)
		VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', '', $8, $9, $9)`,
		id.String(), p.CaseID.String(), p.EmployeeID.String(), unit, p.BudgetID.String(), p.AmountFen,
		string(payment.StatusInstructed), e.RecordedAt.UTC().Format(time.RFC3339), e.Position)
	if err != nil {
		return fmt.Errorf("payments: instruct %s: %w", id, err)
	}
	return nil
}

// settle records the bank's answer on payment id (set uses $3 onwards for
// args), which must be instructed and not yet answered.
func settle(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded, set string, args ...any) error {
	res, err := tx.Exec(ctx, "UPDATE {rm_payments} SET "+set+", updated_position = $2 WHERE payment_id = $1 AND status = '"+
		string(payment.StatusInstructed)+"'", append([]any{id.String(), e.Position}, args...)...)
	if err != nil {
		return fmt.Errorf("payments: %s on %s: %w", e.Type, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("payments: %s on %s: payment not instructed or answered already (%d rows, %v)", e.Type, id, n, err)
	}
	return nil
}
