package care

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

var (
	day       = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC) // 2026-03-02 in the reporting zone
	household = Household{Size: 4, Dependants: 2, IncomeBand: "below_minimum", AgeBand: "40_49"}
)

// commitEntry appends e's changes to history and checks that the replay
// equals the state e's methods left.
func commitEntry(t *testing.T, history *entryHistory, e *Entry) *Entry {
	t.Helper()
	load := func(events []event.Recorded) (*Entry, error) { return LoadEntry(e.employee, events) }
	events, got := aggtest.Commit(t, history.events, e, load, func(e *Entry) any { return e.s })
	history.events = events
	return got
}

type entryHistory struct{ events []event.Recorded }

func TestTheRegisterKeepsHistoryNeverDeletes(t *testing.T) {
	emp, unit := uuid.New(), uuid.New()
	var h entryHistory
	e := NewEntry(emp)
	if err := e.Enter(unit, LevelDeep, []string{"重病", "子女上学"}, household, day); err != nil {
		t.Fatal(err)
	}
	e = commitEntry(t, &h, e)
	if !e.Active() || e.Since() != "2026-03-02" || e.ReviewDue() != "2027-03-02" {
		t.Fatalf("entered: active %v since %s due %s", e.Active(), e.Since(), e.ReviewDue())
	}
	if err := e.Enter(unit, LevelRelative, []string{"x"}, household, day); !errors.Is(err, ErrInRegister) || !errors.Is(err, fault.ErrConflict) {
		t.Fatalf("second entry: %v", err)
	}
	later := day.AddDate(1, 0, 5)
	if err := e.Review(OutcomeChangeLevel, LevelRelative, "", later); err != nil {
		t.Fatal(err)
	}
	e = commitEntry(t, &h, e)
	if e.Level() != LevelRelative || e.ReviewDue() != "2028-03-07" {
		t.Fatalf("reviewed: level %s due %s", e.Level(), e.ReviewDue())
	}
	if err := e.Exit(ExitRecovered, "", later); err != nil {
		t.Fatal(err)
	}
	e = commitEntry(t, &h, e)
	if err := e.Review(OutcomeKeep, "", "", later); !errors.Is(err, ErrNotInRegister) {
		t.Fatalf("review after exit: %v", err)
	}
	if err := e.Exit(ExitDied, "", later); !errors.Is(err, ErrNotInRegister) {
		t.Fatalf("exit after exit: %v", err)
	}
	// Someone who left may fall into hardship again: a new entry, the old
	// one still in the history.
	if err := e.Enter(unit, LevelAccident, []string{"火灾"}, household, later); err != nil {
		t.Fatal(err)
	}
	e = commitEntry(t, &h, e)
	if len(h.events) != 4 || !e.Active() || e.Level() != LevelAccident {
		t.Fatalf("re-entry: %d events, active %v, level %s", len(h.events), e.Active(), e.Level())
	}
}

func TestTheRegisterRefusesBadInput(t *testing.T) {
	unit := uuid.New()
	bad := []struct {
		name  string
		do    func(e *Entry) error
		field string
	}{
		{"no unit", func(e *Entry) error { return e.Enter(uuid.Nil, LevelDeep, []string{"a"}, household, day) }, "unit_id"},
		{"level", func(e *Entry) error { return e.Enter(unit, "poor", []string{"a"}, household, day) }, "level"},
		{"no causes", func(e *Entry) error { return e.Enter(unit, LevelDeep, nil, household, day) }, "causes"},
		{"repeated cause", func(e *Entry) error { return e.Enter(unit, LevelDeep, []string{"a", "a"}, household, day) }, "causes[1]"},
		{"household size", func(e *Entry) error {
			return e.Enter(unit, LevelDeep, []string{"a"}, Household{Size: 0, IncomeBand: "below_minimum", AgeBand: "30_39"}, day)
		}, "household.size"},
		{"dependants", func(e *Entry) error {
			return e.Enter(unit, LevelDeep, []string{"a"}, Household{Size: 2, Dependants: 3, IncomeBand: "below_minimum", AgeBand: "30_39"}, day)
		}, "household.dependants"},
		{"income band", func(e *Entry) error {
			return e.Enter(unit, LevelDeep, []string{"a"}, Household{Size: 2, IncomeBand: "rich", AgeBand: "30_39"}, day)
		}, "household.income_band"},
		{"age band", func(e *Entry) error {
			return e.Enter(unit, LevelDeep, []string{"a"}, Household{Size: 2, IncomeBand: "below_minimum", AgeBand: "old"}, day)
		}, "household.age_band"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEntry(uuid.New())
			err := tc.do(e)
			var v *fault.ValidationError
			if !errors.As(err, &v) || v.Field != tc.field {
				t.Fatalf("got %v, want a validation error on %s", err, tc.field)
			}
			if len(e.Changes()) != 0 {
				t.Fatal("a refused entry recorded an event")
			}
		})
	}
	e := NewEntry(uuid.New())
	if err := e.Enter(unit, LevelDeep, []string{"a"}, household, day); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"keep with another level": e.Review(OutcomeKeep, LevelRelative, "", day),
		"change to the same":      e.Review(OutcomeChangeLevel, LevelDeep, "", day),
		"unknown outcome":         e.Review("promote", LevelDeep, "", day),
		"unknown exit reason":     e.Exit("bored", "", day),
		"control in a note":       e.Exit(ExitOther, "a\x00b", day),
	} {
		if !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
