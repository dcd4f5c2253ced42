package commands

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
)

// An account's assignments: the steps of cases it holds by name and may
// still have to decide. Every command that changes who holds what records
// the change in each affected account's assignment stream, in the same
// transaction, so a hand-over can find an outgoing holder's open work from
// the event store itself.
const (
	typeAssignmentOpened = "assignment.opened"
	typeAssignmentClosed = "assignment.closed"
)

// AssignmentStream is an account's assignments.
func AssignmentStream(account uuid.UUID) string { return "assignments-" + account.String() }

type assignment struct {
	CaseID uuid.UUID `json:"case_id"`
	Step   string    `json:"step"`
	UnitID uuid.UUID `json:"unit_id"`
}

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
		data, err := json.Marshal(assignment{CaseID: c.ID(), Step: h.step, UnitID: c.UnitID()})
		if err != nil {
			return err
		}
		w.addIndex(AssignmentStream(h.account), event.Event{ID: event.NewID(), Type: typ, Data: data})
		return nil
	}
	for h := range after {
		if !before[h] {
			if err := record(h, typeAssignmentOpened); err != nil {
				return err
			}
		}
	}
	for h := range before {
		if !after[h] {
			if err := record(h, typeAssignmentClosed); err != nil {
				return err
			}
		}
	}
	return nil
}

// openAssignments reads the steps account holds now.
func (a *App) openAssignments(ctx context.Context, account uuid.UUID) ([]assignment, error) {
	history, err := a.store.ReadStream(ctx, AssignmentStream(account), 1)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	open := map[assignment]bool{}
	var order []assignment
	for _, e := range history {
		var x assignment
		if err := jsonDecode(e.Data, &x); err != nil {
			return nil, err
		}
		switch e.Type {
		case typeAssignmentOpened:
			if !open[x] {
				order = append(order, x)
			}
			open[x] = true
		case typeAssignmentClosed:
			delete(open, x)
		}
	}
	var out []assignment
	for _, x := range order {
		if open[x] {
			out = append(out, x)
			delete(open, x)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, event.ErrNotFound) }
