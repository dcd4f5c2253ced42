package commands

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/care"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// EnterHardship enters an employee in the hardship register.
type EnterHardship struct {
	EmployeeID uuid.UUID
	Level      care.Level
	Causes     []string
	Household  care.Household
}

// EnterHardship needs care.manage at the employee's unit. An employee in
// the register already is refused (care.ErrInRegister, a conflict); one
// who left it may be entered again.
func (a *App) EnterHardship(ctx context.Context, actor Actor, cmd EnterHardship) (Written, error) {
	pos, err := a.attempt(ctx, actor, "EnterHardship", nil, func(w *uow.Work) (event.Metadata, error) {
		entry, unit, meta, err := a.registerEntry(ctx, w, actor, cmd.EmployeeID, true)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := entry.Enter(unit.ID(), cmd.Level, cmd.Causes, cmd.Household, meta.OccurredAt); err != nil {
			return event.Metadata{}, err
		}
		w.Add(entry.Stream(), entry.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// ReviewHardship records the yearly review of an employee in the register.
type ReviewHardship struct {
	EmployeeID uuid.UUID
	Outcome    string     // care.OutcomeKeep or care.OutcomeChangeLevel
	Level      care.Level // the new level, for change_level
	Note       string     // plaintext, sealed under the employee's key
}

// ReviewHardship needs care.manage at the employee's unit; reviewing
// someone not in the register is care.ErrNotInRegister.
func (a *App) ReviewHardship(ctx context.Context, actor Actor, cmd ReviewHardship) (Written, error) {
	return a.changeEntry(ctx, actor, "ReviewHardship", cmd.EmployeeID, cmd.Note, func(e *care.Entry, note string, now time.Time) error {
		return e.Review(cmd.Outcome, cmd.Level, note, now)
	})
}

// ExitHardship takes an employee out of the register.
type ExitHardship struct {
	EmployeeID uuid.UUID
	Reason     string // one of care.ExitReasons
	Note       string // plaintext, sealed under the employee's key
}

// ExitHardship needs care.manage at the employee's unit. The entry stays
// in the history.
func (a *App) ExitHardship(ctx context.Context, actor Actor, cmd ExitHardship) (Written, error) {
	return a.changeEntry(ctx, actor, "ExitHardship", cmd.EmployeeID, cmd.Note, func(e *care.Entry, note string, now time.Time) error {
		return e.Exit(cmd.Reason, note, now)
	})
}

// changeEntry runs command on employee's place in the register: note,
// sealed under the employee's key, goes to change with the time of the
// command.
func (a *App) changeEntry(ctx context.Context, actor Actor, command string, employee uuid.UUID, note string,
	change func(e *care.Entry, sealedNote string, now time.Time) error) (Written, error) {
	pos, err := a.attempt(ctx, actor, command, nil, func(w *uow.Work) (event.Metadata, error) {
		entry, _, meta, err := a.registerEntry(ctx, w, actor, employee, false)
		if err != nil {
			return event.Metadata{}, err
		}
		sealed, err := a.sealNote(ctx, employee, note)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := change(entry, sealed, meta.OccurredAt); err != nil {
			return event.Metadata{}, err
		}
		w.Add(entry.Stream(), entry.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// registerEntry authorises care.manage at the employee's unit and loads
// their register place. Entering someone needs a living record: an erased
// employee is refused; a review or exit of an erased one is allowed, so
// the register can be closed.
func (a *App) registerEntry(ctx context.Context, w *uow.Work, actor Actor, employee uuid.UUID, entering bool) (*care.Entry, *org.Unit, event.Metadata, error) {
	unit, meta, err := a.careAt(ctx, w, actor, employee, entering)
	if err != nil {
		return nil, nil, event.Metadata{}, err
	}
	history, err := w.Load(ctx, care.HardshipStream(employee))
	if err != nil {
		return nil, nil, event.Metadata{}, err
	}
	entry := care.NewEntry(employee)
	if len(history) > 0 {
		if entry, err = care.LoadEntry(employee, history); err != nil {
			return nil, nil, event.Metadata{}, err
		}
	}
	return entry, unit, meta, nil
}

// careAt authorises care.manage at employee's unit; living requires an
// employee whose personal data is not erased.
func (a *App) careAt(ctx context.Context, w *uow.Work, actor Actor, employee uuid.UUID, living bool) (*org.Unit, event.Metadata, error) {
	emp, err := uow.LoadEmployee(ctx, w, employee)
	if err != nil {
		return nil, event.Metadata{}, err
	}
	if living && emp.Erased() {
		return nil, event.Metadata{}, org.ErrErased
	}
	return a.authorizedAt(ctx, w, actor, access.PermCareManage, emp.UnitID())
}

// sealNote seals an optional note about employee under their key; ""
// stays "". A note is at most 2000 bytes of text.
func (a *App) sealNote(ctx context.Context, employee uuid.UUID, note string) (string, error) {
	if note == "" {
		return "", nil
	}
	if err := checkNote("note", note); err != nil {
		return "", err
	}
	return a.keyring.Seal(ctx, employee, note)
}
