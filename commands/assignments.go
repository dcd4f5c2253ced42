package commands

import (
	"errors"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
)

// An account's assignments (casework.AssignmentStream) say which steps of
// which cases it holds by name; commands that change who holds what keep
// them in the same transaction.

type holding struct {
	account uuid.UUID
	step    string
}

// held lists who holds which step of c that they may still have to decide.
func held(c *casework.Case) map[holding]bool {
	out := map[holding]bool{}
	for _, s := range c.Steps() {
		for _, name := range c.HeldBy(s.Assignee) {
			if name == s.Name {
				out[holding{s.Assignee, s.Name}] = true
			}
		}
	}
	return out
}

// trackAssignments records, for every account whose holdings of c changed
// between before and now, the steps it gained and lost.
func trackAssignments(w *uow.Work, c *casework.Case, before map[holding]bool) error {
	after := held(c)
	record := func(h holding, typ string) error {
		e, err := event.New(typ, casework.Assignment{CaseID: c.ID(), Step: h.step, UnitID: c.UnitID()})
		if err != nil {
			return err
		}
		w.AddIndex(casework.AssignmentStream(h.account), e)
		return nil
	}
	for h := range after {
		if !before[h] {
			if err := record(h, casework.TypeAssignmentOpened); err != nil {
				return err
			}
		}
	}
	for h := range before {
		if !after[h] {
			if err := record(h, casework.TypeAssignmentClosed); err != nil {
				return err
			}
		}
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, event.ErrNotFound) }
