package care

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"

	"aidtrail/domain/event"
)

// Errors of the register. Match them with errors.Is.
var (
	// ErrInRegister: the employee is in the register already; entering
	// them again is a conflict, not a second entry.
	ErrInRegister = fault.Conflict("the employee is in the hardship register already")
	// ErrNotInRegister: the employee is not (or no longer) in the register,
	// so there is nothing to review or exit.
	ErrNotInRegister = fault.State("the employee is not in the hardship register")
)

// Entry is one employee's place in the hardship register, over all their
// entries and exits. Start one with NewEntry (an employee never entered)
// or rebuild it with LoadEntry; the zero value is not usable.
type Entry struct {
	employee uuid.UUID
	s        entryState
	agg.Root
}

type entryState struct {
	active    bool
	unit      uuid.UUID
	level     Level
	causes    []string
	household Household
	since     string
	reviewDue string
}

// NewEntry returns the register place of an employee never entered.
func NewEntry(employee uuid.UUID) *Entry { return &Entry{employee: employee} }

// LoadEntry rebuilds employee's register place from its whole stream.
func LoadEntry(employee uuid.UUID, history []event.Recorded) (*Entry, error) {
	e := &Entry{employee: employee}
	return agg.Load(e, HardshipStream(employee), history, e.apply)
}

// Stream returns the entry's stream.
func (e *Entry) Stream() string { return HardshipStream(e.employee) }

// Active reports whether the employee is in the register now.
func (e *Entry) Active() bool { return e.s.active }

// Level returns the current level ("" when never entered).
func (e *Entry) Level() Level { return e.s.level }

// UnitID returns the unit the employee was in when entered.
func (e *Entry) UnitID() uuid.UUID { return e.s.unit }

// Since returns the date of the current (or last) entry.
func (e *Entry) Since() string { return e.s.since }

// ReviewDue returns the date by which the next review is due.
func (e *Entry) ReviewDue() string { return e.s.reviewDue }

// Causes returns the causes of hardship given on entry.
func (e *Entry) Causes() []string { return slices.Clone(e.s.causes) }

// Household returns the household facts given on entry.
func (e *Entry) Household() Household { return e.s.household }

// Enter records hardship.entered: the employee, of unit, joins the
// register at level on the date of now, with causes and household facts;
// the first review is due a year later. Errors: *fault.ValidationError,
// ErrInRegister while they are in it.
func (e *Entry) Enter(unit uuid.UUID, level Level, causes []string, household Household, now time.Time) error {
	if e.s.active {
		return ErrInRegister
	}
	if unit == uuid.Nil {
		return fault.Invalid("unit_id", "is required")
	}
	if !level.Valid() {
		return fault.Invalid("level", "must be one of %v", Levels())
	}
	causes, err := cleanCauses(causes)
	if err != nil {
		return err
	}
	if err := household.Check(); err != nil {
		return err
	}
	today := Today(now)
	return agg.Record(&e.Root, e.apply, TypeHardshipEntered, HardshipEntered{
		EmployeeID: e.employee, UnitID: unit, Level: level, Causes: causes, Household: household,
		Since: today, ReviewDue: aYearAfter(now)})
}

// Review records hardship.reviewed: outcome keep leaves the level,
// change_level sets level (which must differ); note is sealed text or "".
// The next review is due a year after now. Errors:
// *fault.ValidationError, ErrNotInRegister for an employee not in it.
func (e *Entry) Review(outcome string, level Level, note string, now time.Time) error {
	if !e.s.active {
		return ErrNotInRegister
	}
	switch outcome {
	case OutcomeKeep:
		if level != "" && level != e.s.level {
			return fault.Invalid("level", "must be empty or the current level when the outcome is keep")
		}
		level = e.s.level
	case OutcomeChangeLevel:
		if !level.Valid() {
			return fault.Invalid("level", "must be one of %v", Levels())
		}
		if level == e.s.level {
			return fault.Invalid("level", "is the current level already")
		}
	default:
		return fault.Invalid("outcome", "must be keep or change_level")
	}
	if err := checkSealed("note", note); err != nil {
		return err
	}
	return agg.Record(&e.Root, e.apply, TypeHardshipReviewed, HardshipReviewed{
		Outcome: outcome, Level: level, Note: note, ReviewedOn: Today(now), ReviewDue: aYearAfter(now)})
}

// Exit records hardship.exited: the employee leaves the register for
// reason; note is sealed text or "". Errors: *fault.ValidationError,
// ErrNotInRegister.
func (e *Entry) Exit(reason, note string, now time.Time) error {
	if !e.s.active {
		return ErrNotInRegister
	}
	if !slices.Contains(ExitReasons(), reason) {
		return fault.Invalid("reason", "must be one of %v", ExitReasons())
	}
	if err := checkSealed("note", note); err != nil {
		return err
	}
	return agg.Record(&e.Root, e.apply, TypeHardshipExited, HardshipExited{Reason: reason, Note: note, ExitedOn: Today(now)})
}

func aYearAfter(now time.Time) string { return Today(now.AddDate(1, 0, 0)) }

// apply changes the state by one event; it changes nothing when it fails.
func (e *Entry) apply(typ string, data json.RawMessage) error {
	s := &e.s
	switch typ {
	case TypeHardshipEntered:
		return agg.On(data, func(p HardshipEntered) error {
			if s.active {
				return errors.New("entered while in the register")
			}
			if p.EmployeeID != e.employee || !p.Level.Valid() {
				return errors.New("employee_id is not the stream's, or the level is unknown")
			}
			*s = entryState{active: true, unit: p.UnitID, level: p.Level, causes: p.Causes, household: p.Household,
				since: p.Since, reviewDue: p.ReviewDue}
			return nil
		})
	case TypeHardshipReviewed:
		return agg.On(data, func(p HardshipReviewed) error {
			if !s.active || !p.Level.Valid() {
				return errors.New("reviewed while not in the register, or the level is unknown")
			}
			s.level, s.reviewDue = p.Level, p.ReviewDue
			return nil
		})
	case TypeHardshipExited:
		return agg.On(data, func(HardshipExited) error {
			if !s.active {
				return errors.New("exited while not in the register")
			}
			s.active = false
			return nil
		})
	default:
		return agg.Unknown(typ)
	}
}
