// Package cases keeps rm_cases, the case list: one row per case with its
// employee, unit, standard, status and amounts, for lists by unit subtree,
// status, employee and standard with cursor paging.
package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectCasesOnEvents.
const Name = "cases"

// Projection maintains rm_cases from case events. It holds amounts of
// money, so it never skips an event: a case event it cannot apply (of an
// unknown type, about a case it has not seen opened, with a malformed
// payload) is an error and stops it there.
type Projection struct{}

// New returns the cases projection.
func New() Projection { return Projection{} }

// Name implements projections.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection: rm_cases, one row per case.
// Amounts are in fen; ids are UUIDs in their canonical text form;
// opened_at is when the case was opened (RFC 3339, UTC). opened_position
// is the global position of case.opened and orders case lists (cursor
// paging).
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{{Name: "rm_cases", Create: []string{
		`CREATE TABLE {rm_cases} (
			case_id          TEXT   PRIMARY KEY,
			employee_id      TEXT   NOT NULL,
			unit_id          TEXT   NOT NULL,
			standard_code    TEXT   NOT NULL,
			category         TEXT   NOT NULL,
			status           TEXT   NOT NULL,
			requested_fen    BIGINT NOT NULL,
			approved_fen     BIGINT NOT NULL,
			paid_fen         BIGINT NOT NULL,
			opened_at        TEXT   NOT NULL,
			opened_position  BIGINT NOT NULL UNIQUE,
			updated_position BIGINT NOT NULL)`,
		`CREATE INDEX {rm_cases}_unit ON {rm_cases} (unit_id, opened_position)`,
		`CREATE INDEX {rm_cases}_status ON {rm_cases} (status, opened_position)`,
		`CREATE INDEX {rm_cases}_employee ON {rm_cases} (employee_id, opened_position)`,
	}}}
}

// Concerns implements readmodel.Selective: case events.
func (Projection) Concerns(e event.Recorded) bool { return strings.HasPrefix(e.Type, "case.") }

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	id, err := readmodel.CaseID(e.Stream)
	if err != nil {
		return err
	}
	switch e.Type {
	case casework.TypeCaseOpened:
		var p casework.CaseOpened
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		if p.CaseID != id {
			return fmt.Errorf("cases: case.opened for %s in stream %s", p.CaseID, e.Stream)
		}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_cases} (case_id, employee_id, unit_id, standard_code, category,
			status, requested_fen, approved_fen, paid_fen, opened_at, opened_position, updated_position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $9, $9)`,
			id.String(), p.EmployeeID.String(), p.UnitID.String(), p.StandardCode, p.Category,
			string(casework.StatusDraft), p.RequestedFen, e.RecordedAt.UTC().Format(time.RFC3339), e.Position)
		if err != nil {
			return fmt.Errorf("cases: insert %s: %w", id, err)
		}
		return nil
	case casework.TypeCaseSubmitted:
		return update(ctx, tx, id, e, "status = $3", string(casework.StatusInReview))
	case casework.TypeCaseReturned:
		return update(ctx, tx, id, e, "status = $3", string(casework.StatusReturned))
	case casework.TypeCaseRejected:
		return update(ctx, tx, id, e, "status = $3", string(casework.StatusRejected))
	case casework.TypeCaseWithdrawn:
		return update(ctx, tx, id, e, "status = $3", string(casework.StatusWithdrawn))
	case casework.TypeCaseClosed:
		return update(ctx, tx, id, e, "status = $3", string(casework.StatusClosed))
	case casework.TypeCaseApproved:
		var p casework.CaseApproved
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, id, e, "status = $3, approved_fen = $4", string(casework.StatusApproved), p.AmountFen)
	case casework.TypeCasePaymentConfirmed:
		var p casework.CasePaymentConfirmed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, id, e, "paid_fen = paid_fen + $3", p.AmountFen)
	case casework.TypeCasePaid:
		var p casework.CasePaid
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, id, e, "status = $3, paid_fen = $4", string(casework.StatusPaid), p.TotalFen)
	case casework.TypeCaseDocumentAdded, casework.TypeCaseStepDecided, casework.TypeCaseStepReassigned,
		casework.TypeCasePaymentInstructed, casework.TypeCasePaymentFailed:
		return update(ctx, tx, id, e, "")
	default:
		return fmt.Errorf("cases: unknown case event type %q", e.Type)
	}
}

// update sets columns of case id (set uses $3 onwards for args) and its
// updated_position; the case must have been opened.
func update(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded, set string, args ...any) error {
	if set != "" {
		set += ", "
	}
	res, err := tx.Exec(ctx, "UPDATE {rm_cases} SET "+set+"updated_position = $2 WHERE case_id = $1",
		append([]any{id.String(), e.Position}, args...)...)
	if err != nil {
		return fmt.Errorf("cases: %s on %s: %w", e.Type, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("cases: %s on %s: case not opened (%d rows, %v)", e.Type, id, n, err)
	}
	return nil
}
