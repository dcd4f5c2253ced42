package query

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// StatsScope returns the unit whose subtree the actor may read statistics
// of, deciding on the account's current stream (never on a read model):
//
//   - unitID set: that unit, when the actor holds stats.read there (a role
//     holds on its position's unit and every unit below); a unit that does
//     not exist is a *ValidationError on unit_id.
//   - unitID uuid.Nil: the one unit at the top of the actor's stats.read
//     positions; an actor holding it in several separate subtrees must
//     choose (a *ValidationError on unit_id).
//
// uuid.Nil with no error means the whole organisation: the bootstrap
// administrator, before a real one is appointed, asking for no unit.
// Refusals are recorded as access.denied, like every other.
func (s *Service) StatsScope(ctx context.Context, actor uow.Actor, unitID uuid.UUID) (uuid.UUID, error) {
	const reason = "reading statistics"
	w := uow.NewWork(s.store)
	if unitID != uuid.Nil {
		unit, err := uow.LoadUnit(ctx, w, unitID)
		if errors.Is(err, uow.ErrNotFound) {
			return uuid.Nil, &fault.ValidationError{Field: "unit_id", Reason: "names no unit"}
		}
		if err != nil {
			return uuid.Nil, err
		}
		if err := s.mayReadStats(ctx, w, actor, unit); err != nil {
			return uuid.Nil, err
		}
		return unitID, nil
	}
	scope, err := s.gate.StaffReadScope(ctx, actor, reason, access.PermStatsRead)
	if err != nil {
		return uuid.Nil, err
	}
	if scope.Everything {
		return uuid.Nil, nil
	}
	units := make([]*org.Unit, 0, len(scope.Units))
	for _, id := range scope.Units {
		u, err := uow.LoadUnit(ctx, w, id)
		if err != nil {
			return uuid.Nil, err
		}
		units = append(units, u)
	}
	var tops []uuid.UUID
	for _, u := range units {
		covered := false
		for _, other := range units {
			if other.ID() != u.ID() && u.WithinSubtreeOf(other.ID()) {
				covered = true
			}
		}
		if !covered && !slices.Contains(tops, u.ID()) {
			tops = append(tops, u.ID())
		}
	}
	if len(tops) != 1 {
		return uuid.Nil, &fault.ValidationError{Field: "unit_id", Reason: fmt.Sprintf("is required: you may read statistics of %d separate units", len(tops))}
	}
	return tops[0], nil
}

// mayReadStats refuses, and records the refusal of, an actor without
// stats.read at unit.
func (s *Service) mayReadStats(ctx context.Context, w *uow.Work, actor uow.Actor, unit *org.Unit) error {
	if actor.Bootstrap {
		ended, err := s.gate.BootstrapEnded(ctx)
		if err != nil {
			return err
		}
		if !ended {
			return nil
		}
	} else {
		account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return err
		}
		if _, err := account.Authorize(access.PermStatsRead, access.RefOf(unit)); err == nil {
			return nil
		} else if !errors.Is(err, access.ErrForbidden) {
			return err
		}
	}
	return s.gate.Denied(ctx, actor, access.PermStatsRead, unit, "reading statistics")
}
