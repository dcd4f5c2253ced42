package commands

import (
	"context"
	"errors"

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
func trackAssignments(w *work, c *casework.Case, before map[holding]bool) error {
	after := held(c)
	record := func(h holding, typ string) error {
		e, err := event.New(typ, casework.Assignment{CaseID: c.ID(), Step: h.step, UnitID: c.UnitID()})
		if err != nil {
			return err
		}
		w.addIndex(casework.AssignmentStream(h.account), e)
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

// openAssignments reads the steps account holds now.
func (a *App) openAssignments(ctx context.Context, account uuid.UUID) ([]casework.Assignment, error) {
	history, err := a.store.ReadStream(ctx, casework.AssignmentStream(account), 1)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	open := map[casework.Assignment]bool{}
	var order []casework.Assignment
	for _, e := range history {
		var x casework.Assignment
		if err := event.Decode(e, &x); err != nil {
			return nil, err
		}
		switch e.Type {
		case casework.TypeAssignmentOpened:
			if !open[x] {
				order = append(order, x)
			}
			open[x] = true
		case casework.TypeAssignmentClosed:
			delete(open, x)
		}
	}
	var out []casework.Assignment
	for _, x := range order {
		if open[x] {
			out = append(out, x)
			delete(open, x)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, event.ErrNotFound) }
