package query

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
)

// WaitingStep is a step waiting for the caller's decision.
type WaitingStep struct {
	CaseID uuid.UUID
	Step   string
	UnitID uuid.UUID
}

// StepsWaiting returns the steps waiting for the actor's decision now (the
// current step of cases in review that the actor holds by name), from the
// actor's assignment stream.
func (s *Service) StepsWaiting(ctx context.Context, actor uow.Actor) ([]WaitingStep, error) {
	if actor.Bootstrap {
		return []WaitingStep{}, nil
	}
	open, err := uow.OpenAssignments(ctx, s.store, actor.AccountID)
	if err != nil {
		return nil, err
	}
	items := []WaitingStep{}
	w := uow.NewWork(s.store)
	for _, x := range open {
		c, err := uow.LoadCase(ctx, w, x.CaseID)
		if err != nil {
			return nil, err
		}
		for _, s := range c.OpenSteps() {
			if s.Assignee == actor.AccountID && s.Name == x.Step {
				items = append(items, WaitingStep{CaseID: x.CaseID, Step: x.Step, UnitID: x.UnitID})
			}
		}
	}
	return items, nil
}
