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

// ImportLifeEvents checks every row before it writes any: a bad row is an
// *ImportError naming each bad row and column, and nothing is written. The
// actor needs care.manage at every employee's unit. A row the history
// already holds (same employee, kind, subject and date), or a repeat
// within the file, is skipped, so that importing one file twice adds
// nothing.
//
// A checked file is written in transactions of at most ImportChunk
// employees, each its own keyed command ("ImportLifeEvents.<n>"): one
// transaction of a whole HR export would lock more streams than a
// PostgreSQL server's lock table holds. Should the process stop between
// them, the file is partly imported; importing it again (with the same
// Idempotency-Key or none) records the rest and skips what is there. Only
// a change between the check and the write — an employee erased or moved
// out of the actor's reach meanwhile — can refuse a row after earlier
// transactions were written.
func (a *App) ImportLifeEvents(ctx context.Context, actor Actor, cmd ImportLifeEvents) (Imported, Written, error) {
	if len(cmd.Rows) == 0 || len(cmd.Rows) > MaxImportRows {
		return Imported{}, Written{}, &fault.ValidationError{Field: "file", Reason: fmt.Sprintf("must hold 1 to %d rows", MaxImportRows)}
	}
	// Every stream is read once, eight at a time, for the check and for
	// each transaction's first attempt; a stream that moved meanwhile makes
	// that transaction decide again on a fresh read.
	histories, err := uow.ReadStreams(ctx, a.store, importStreams(cmd.Rows), 8)
	if err != nil {
		return Imported{}, Written{}, err
	}
	check := importer{app: a, w: uow.NewWork(a.store), actor: actor, now: a.clock.Now(), units: map[uuid.UUID]error{},
		employees: map[uuid.UUID]*care.LifeEvents{}}
	check.w.Seed(histories)
	if _, err := check.check(ctx, cmd.Rows); err != nil {
		return Imported{}, Written{}, err
	}
	sealed, err := a.sealDetails(ctx, cmd.Rows)
	if err != nil {
		return Imported{}, Written{}, err
	}
	var total Imported
	var last Written
	for i, chunk := range importChunks(cmd.Rows, check.order) {
		var part Imported
		first := true
		pos, err := a.attempt(ctx, actor, fmt.Sprintf("ImportLifeEvents.%d", i), &part, func(w *uow.Work) (event.Metadata, error) {
			part = Imported{}
			if first {
				w.Seed(histories)
				first = false
			}
			imp := importer{app: a, w: w, actor: actor, now: a.clock.Now(), units: map[uuid.UUID]error{},
				employees: map[uuid.UUID]*care.LifeEvents{}, sealed: sealed}
			meta, err := imp.check(ctx, chunk)
			if err != nil {
				return event.Metadata{}, err
			}
			for _, id := range imp.order {
				if changes := imp.employees[id].Changes(); len(changes) > 0 {
					part.Imported += len(changes)
					w.Add(care.LifeEventsStream(id), changes...)
				}
			}
			part.SkippedDuplicates = len(chunk) - part.Imported
			return meta, nil
		})
		if err != nil {
			return total, last, err
		}
		total.Imported += part.Imported
		total.SkippedDuplicates += part.SkippedDuplicates
		if pos > 0 {
			last = Written{pos}
		}
	}
	return total, last, nil
}

// ImportChunk is how many employees one transaction of an import writes.
const ImportChunk = 500

// importChunks splits rows into groups of at most ImportChunk employees,
// in the order employees first appear (order), each employee's rows in
// the file's order.
func importChunks(rows []LifeEventRow, order []uuid.UUID) [][]LifeEventRow {
	chunkOf := make(map[uuid.UUID]int, len(order))
	for i, id := range order {
		chunkOf[id] = i / ImportChunk
	}
	chunks := make([][]LifeEventRow, (len(order)+ImportChunk-1)/ImportChunk)
	for _, row := range rows {
		id, _ := uuid.Parse(strings.TrimSpace(row.EmployeeID)) // every row parsed when checked
		chunks[chunkOf[id]] = append(chunks[chunkOf[id]], row)
	}
	return chunks
}

// importer checks and records the rows of one import attempt.
type importer struct {
	app       *App
	w         *uow.Work
	actor     Actor
	now       time.Time           // what dates are checked against
	units     map[uuid.UUID]error // authorisation per unit, decided once
	employees map[uuid.UUID]*care.LifeEvents
	order     []uuid.UUID    // employees in the order the rows name them first
	sealed    map[int]string // details sealed, by row number, when writing; a check only validates them
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
		// Writing records the details sealed; a check, whose events are
		// never committed, has validated the plaintext and records none.
		le.Details = imp.sealed[row.Row]
	}
	if err := life.Record(uow.NewID(imp.actor, "life-event/"+id.String()+"/"+le.Kind+"/"+le.Subject+"/"+le.OccurredOn), le, care.SourceImport, imp.now); err != nil {
		imp.badField(row.Row, err)
	}
	return nil
}

// importStreams returns the streams an import of rows reads: each named
// employee's record and life events.
func importStreams(rows []LifeEventRow) []string {
	seen := map[uuid.UUID]bool{}
	var streams []string
	for _, row := range rows {
		id, err := uuid.Parse(strings.TrimSpace(row.EmployeeID))
		if err != nil || seen[id] {
			continue
		}
		seen[id] = true
		streams = append(streams, org.EmployeeStream(id), care.LifeEventsStream(id))
	}
	return streams
}

// sealDetails seals every row's details under its employee's key, eight
// at a time, by row number; rows without details, or whose employee id
// does not parse, have none.
func (a *App) sealDetails(ctx context.Context, rows []LifeEventRow) (map[int]string, error) {
	type detail struct {
		row      int
		employee uuid.UUID
		text     string
	}
	var details []detail
	for _, row := range rows {
		if id, err := uuid.Parse(strings.TrimSpace(row.EmployeeID)); row.Details != "" && err == nil {
			details = append(details, detail{row.Row, id, row.Details})
		}
	}
	sealed := make([]string, len(details))
	err := uow.Parallel(len(details), 8, func(i int) error {
		var err error
		sealed[i], err = a.keyring.Seal(ctx, details[i].employee, details[i].text)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int]string, len(details))
	for i, d := range details {
		out[d.row] = sealed[i]
	}
	return out, nil
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
	imp.order = append(imp.order, id)
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
