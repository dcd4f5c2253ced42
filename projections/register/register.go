// Package register keeps rm_register, the hardship register (困难职工库) as
// staff list it and the profile (精准画像) counts it: one row per employee
// ever entered, with their level, causes, coarse household bands, review
// date and status, and the aid their cases were approved and paid, for
// statistics by unit, level, cause, age band, household and month.
package register

import (
	"context"
	"encoding/json"
	"fmt"

	"aidtrail/domain/care"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name.
const Name = "register"

// Statuses of a register row.
const (
	StatusActive = "active"
	StatusExited = "exited"
)

// Projection maintains the register tables.
type Projection struct{}

// New returns the register projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection.
//
// rm_register has a row per employee ever entered, as of their latest
// entry: position (of the latest entry) orders the list; review_due and
// since are dates. rm_register_causes has the row's causes, one per row,
// for grouping by cause. rm_register_cases has every case of an employee
// (entered or not, since they may be entered later) with its approved
// and paid fen.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_register", Create: []string{
			`CREATE TABLE {rm_register} (
				employee_id    TEXT    PRIMARY KEY,
				unit_id        TEXT    NOT NULL,
				level          TEXT    NOT NULL,
				causes         TEXT    NOT NULL,
				household_size INTEGER NOT NULL,
				dependants     INTEGER NOT NULL,
				income_band    TEXT    NOT NULL,
				age_band       TEXT    NOT NULL,
				since          TEXT    NOT NULL,
				review_due     TEXT    NOT NULL,
				status         TEXT    NOT NULL,
				exit_reason    TEXT    NOT NULL DEFAULT '',
				position       BIGINT  NOT NULL UNIQUE)`,
		}},
		{Name: "rm_register_causes", Create: []string{
			`CREATE TABLE {rm_register_causes} (
				employee_id TEXT NOT NULL,
				cause       TEXT NOT NULL,
				PRIMARY KEY (employee_id, cause))`,
		}},
		{Name: "rm_register_cases", Create: []string{
			`CREATE TABLE {rm_register_cases} (
				case_id      TEXT   PRIMARY KEY,
				employee_id  TEXT   NOT NULL,
				approved_fen BIGINT NOT NULL DEFAULT 0,
				paid_fen     BIGINT NOT NULL DEFAULT 0)`,
			`CREATE INDEX {rm_register_cases}_employee ON {rm_register_cases} (employee_id)`,
		}},
	}
}

// Concerns implements readmodel.Selective.
func (Projection) Concerns(e event.Recorded) bool {
	switch e.Type {
	case care.TypeHardshipEntered, care.TypeHardshipReviewed, care.TypeHardshipExited, org.TypeEmployeeTransferred,
		casework.TypeCaseOpened, casework.TypeCaseApproved, casework.TypeCasePaymentConfirmed:
		return true
	}
	return false
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	if err := apply(ctx, tx, e); err != nil {
		return fmt.Errorf("register: %s at %d: %w", e.Type, e.Position, err)
	}
	return nil
}

func apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	exec := func(q string, args ...any) error { _, err := tx.Exec(ctx, q, args...); return err }
	switch e.Type {
	case care.TypeHardshipEntered:
		var p care.HardshipEntered
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		causes, err := json.Marshal(p.Causes)
		if err != nil {
			return err
		}
		id := p.EmployeeID.String()
		if err := exec(`DELETE FROM {rm_register} WHERE employee_id = $1`, id); err != nil {
			return err
		}
		if err := exec(`DELETE FROM {rm_register_causes} WHERE employee_id = $1`, id); err != nil {
			return err
		}
		for _, c := range p.Causes {
			if err := exec(`INSERT INTO {rm_register_causes} (employee_id, cause) VALUES ($1, $2)`, id, c); err != nil {
				return err
			}
		}
		h := p.Household
		return exec(`INSERT INTO {rm_register} (employee_id, unit_id, level, causes, household_size, dependants,
			income_band, age_band, since, review_due, status, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, p.UnitID.String(), string(p.Level), string(causes), h.Size, h.Dependants, h.IncomeBand, h.AgeBand,
			p.Since, p.ReviewDue, StatusActive, e.Position)
	case care.TypeHardshipReviewed:
		var p care.HardshipReviewed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		employee, err := care.ParseHardshipStream(e.Stream)
		if err != nil {
			return err
		}
		return exec(`UPDATE {rm_register} SET level = $1, review_due = $2 WHERE employee_id = $3`,
			string(p.Level), p.ReviewDue, employee.String())
	case care.TypeHardshipExited:
		var p care.HardshipExited
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		employee, err := care.ParseHardshipStream(e.Stream)
		if err != nil {
			return err
		}
		return exec(`UPDATE {rm_register} SET status = $1, exit_reason = $2 WHERE employee_id = $3`,
			StatusExited, p.Reason, employee.String())
	case org.TypeEmployeeTransferred:
		var p org.EmployeeTransferred
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		employee, err := org.ParseEmployeeStream(e.Stream)
		if err != nil {
			return err
		}
		return exec(`UPDATE {rm_register} SET unit_id = $1 WHERE employee_id = $2`, p.UnitID.String(), employee.String())
	default:
		return caseEvent(e, exec)
	}
}

// caseEvent keeps each case's employee, approved and paid fen.
func caseEvent(e event.Recorded, exec func(string, ...any) error) error {
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
		return exec(`INSERT INTO {rm_register_cases} (case_id, employee_id) VALUES ($1, $2)`, id.String(), p.EmployeeID.String())
	case casework.TypeCaseApproved:
		var p casework.CaseApproved
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return exec(`UPDATE {rm_register_cases} SET approved_fen = $1 WHERE case_id = $2`, p.AmountFen, id.String())
	default: // casework.TypeCasePaymentConfirmed
		var p casework.CasePaymentConfirmed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return exec(`UPDATE {rm_register_cases} SET paid_fen = paid_fen + $1 WHERE case_id = $2`, p.AmountFen, id.String())
	}
}
