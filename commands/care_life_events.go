package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/care"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// RecordLifeEvent records one life event of an employee.
type RecordLifeEvent struct {
	EmployeeID uuid.UUID
	Kind       string
	Subject    string
	OccurredOn string // YYYY-MM-DD
	Details    string // plaintext, optional, sealed under the employee's key
}

// RecordLifeEvent needs care.manage at the employee's unit and returns the
// life event's id. The same kind, subject and date recorded before is
// care.ErrLifeEventRecorded, a conflict.
func (a *App) RecordLifeEvent(ctx context.Context, actor Actor, cmd RecordLifeEvent) (uuid.UUID, Written, error) {
	id := uow.NewID(actor, "life-event")
	pos, err := a.attempt(ctx, actor, "RecordLifeEvent", nil, func(w *uow.Work) (event.Metadata, error) {
		_, meta, err := a.careAt(ctx, w, actor, cmd.EmployeeID, true)
		if err != nil {
			return event.Metadata{}, err
		}
		life, err := loadLifeEvents(ctx, w, cmd.EmployeeID)
		if err != nil {
			return event.Metadata{}, err
		}
		le := care.LifeEvent{Kind: cmd.Kind, Subject: cmd.Subject, OccurredOn: cmd.OccurredOn}
		if err := le.Check(meta.OccurredAt); err != nil {
			return event.Metadata{}, err
		}
		if cmd.Details != "" {
			if err := checkNote("details", cmd.Details); err != nil {
				return event.Metadata{}, err
			}
			if le.Details, err = a.keyring.Seal(ctx, cmd.EmployeeID, cmd.Details); err != nil {
				return event.Metadata{}, err
			}
		}
		if err := life.Record(id, le, care.SourceManual, meta.OccurredAt); err != nil {
			return event.Metadata{}, err
		}
		w.Add(life.Stream(), life.Changes()...)
		return meta, nil
	})
	return id, Written{pos}, err
}

func loadLifeEvents(ctx context.Context, w *uow.Work, employee uuid.UUID) (*care.LifeEvents, error) {
	history, err := w.Load(ctx, care.LifeEventsStream(employee))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return care.NewLifeEvents(employee), nil
	}
	return care.LoadLifeEvents(employee, history)
}

// ImportLifeEvents records the rows of an HR system's export.
type ImportLifeEvents struct {
	Rows []LifeEventRow
}

// LifeEventRow is one row of an import, with the row number the file's
// reader gave it (the header being row 1), for errors to name.
type LifeEventRow struct {
	Row        int
	EmployeeID string
	Kind       string
	Subject    string
	OccurredOn string
	Details    string // plaintext, optional
}

// MaxImportRows bounds one import.
const MaxImportRows = 100_000

// Imported is what an import did.
type Imported struct {
	Imported          int `json:"imported"`
	SkippedDuplicates int `json:"skipped_duplicates"`
}

// ImportError refuses an import: every bad row, each naming its row and
// column. Nothing of the import was written. It matches fault.ErrInvalid.
type ImportError struct {
	Rows []RowError
}

// RowError is one problem of an import.
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// MaxRowErrors bounds how many row errors an ImportError lists.
const MaxRowErrors = 100

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported", len(e.Rows))
	for _, r := range e.Rows[:min(len(e.Rows), 3)] {
		fmt.Fprintf(&b, "; row %d %s: %s", r.Row, r.Column, r.Message)
	}
	return b.String()
}

// Is makes an ImportError match fault.ErrInvalid.
func (e *ImportError) Is(target error) bool { return target == fault.ErrInvalid }

// ImportLifeEvents checks every row before it writes any, and writes them
// all in one transaction or none: a bad row is an *ImportError naming each
// bad row and column. The actor needs care.manage at every employee's
// unit; a row the history already holds (same employee, kind, subject and
// date), or a repeat within the file, is skipped, so that importing one
// file twice adds nothing.
func (a *App) ImportLifeEvents(ctx context.Context, actor Actor, cmd ImportLifeEvents) (Imported, Written, error) {
	if len(cmd.Rows) == 0 || len(cmd.Rows) > MaxImportRows {
		return Imported{}, Written{}, &fault.ValidationError{Field: "file", Reason: fmt.Sprintf("must hold 1 to %d rows", MaxImportRows)}
	}
	var result Imported
	pos, err := a.attempt(ctx, actor, "ImportLifeEvents", &result, func(w *uow.Work) (event.Metadata, error) {
		result = Imported{}
		imp := importer{app: a, w: w, actor: actor, now: a.clock.Now(), units: map[uuid.UUID]error{},
			employees: map[uuid.UUID]*care.LifeEvents{}}
		meta, err := imp.check(ctx, cmd.Rows)
		if err != nil {
			return event.Metadata{}, err
		}
		for _, life := range imp.employees {
			if changes := life.Changes(); len(changes) > 0 {
				result.Imported += len(changes)
				w.Add(life.Stream(), changes...)
			}
		}
		result.SkippedDuplicates = len(cmd.Rows) - result.Imported
		return meta, nil
	})
	return result, Written{pos}, err
}

// importer checks and records the rows of one import attempt.
type importer struct {
	app       *App
	w         *uow.Work
	actor     Actor
	now       time.Time           // what dates are checked against
	units     map[uuid.UUID]error // authorisation per unit, decided once
	employees map[uuid.UUID]*care.LifeEvents
	meta      event.Metadata
	bad       []RowError
}

// check records every good row on its employee's life events and returns
// the metadata of the import, or the *ImportError of the bad rows, or the
// first refusal or store error.
func (imp *importer) check(ctx context.Context, rows []LifeEventRow) (event.Metadata, error) {
	for _, row := range rows {
		if err := imp.row(ctx, row); err != nil {
			return event.Metadata{}, err
		}
		if len(imp.bad) >= MaxRowErrors {
			break
		}
	}
	if len(imp.bad) > 0 {
		return event.Metadata{}, &ImportError{Rows: imp.bad}
	}
	return imp.meta, nil
}

func (imp *importer) row(ctx context.Context, row LifeEventRow) error {
	id, err := uuid.Parse(strings.TrimSpace(row.EmployeeID))
	if err != nil {
		imp.bad = append(imp.bad, RowError{Row: row.Row, Column: "employee_id", Message: "is not an employee id"})
		return nil
	}
	life, ok := imp.employees[id]
	if !ok {
		if life, err = imp.employee(ctx, row, id); life == nil || err != nil {
			return err
		}
	}
	le := care.LifeEvent{Kind: strings.TrimSpace(row.Kind), Subject: strings.TrimSpace(row.Subject),
		OccurredOn: strings.TrimSpace(row.OccurredOn)}
	if err := le.Check(imp.now); err != nil {
		imp.badField(row.Row, err)
		return nil
	}
	if life.Has(le) {
		return nil // in the history already, or earlier in this file
	}
	if row.Details != "" {
		if err := checkNote("details", row.Details); err != nil {
			imp.badField(row.Row, err)
			return nil
		}
		if le.Details, err = imp.app.keyring.Seal(ctx, id, row.Details); err != nil {
			return err
		}
	}
	if err := life.Record(uow.NewID(imp.actor, "life-event/"+id.String()+"/"+le.Kind+"/"+le.Subject+"/"+le.OccurredOn), le, care.SourceImport, imp.now); err != nil {
		imp.badField(row.Row, err)
	}
	return nil
}

// employee loads the employee of a row, authorises the actor at their unit
// (once per unit) and returns their life events; nil with a nil error when
// the row is bad.
func (imp *importer) employee(ctx context.Context, row LifeEventRow, id uuid.UUID) (*care.LifeEvents, error) {
	emp, err := uow.LoadEmployee(ctx, imp.w, id)
	if errors.Is(err, uow.ErrNotFound) {
		imp.bad = append(imp.bad, RowError{Row: row.Row, Column: "employee_id", Message: "no such employee"})
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if emp.Erased() {
		imp.bad = append(imp.bad, RowError{Row: row.Row, Column: "employee_id", Message: org.ErrErased.Error()})
		return nil, nil
	}
	denied, seen := imp.units[emp.UnitID()]
	if !seen {
		unit, err := uow.LoadUnit(ctx, imp.w, emp.UnitID())
		if err != nil {
			return nil, err
		}
		meta, err := imp.app.gate.Authorize(ctx, imp.w, imp.actor, access.PermCareManage, unit)
		denied = err
		imp.units[emp.UnitID()] = err
		if err == nil && imp.meta.OccurredAt.IsZero() {
			imp.meta = meta
		}
	}
	if denied != nil {
		return nil, fmt.Errorf("row %d: %w", row.Row, denied)
	}
	life, err := loadLifeEvents(ctx, imp.w, id)
	if err != nil {
		return nil, err
	}
	imp.employees[id] = life
	return life, nil
}

// badField records a validation error of row as a row error naming its
// column.
func (imp *importer) badField(row int, err error) {
	var v *fault.ValidationError
	if errors.As(err, &v) {
		imp.bad = append(imp.bad, RowError{Row: row, Column: v.Field, Message: v.Reason})
		return
	}
	imp.bad = append(imp.bad, RowError{Row: row, Column: "", Message: err.Error()})
}
