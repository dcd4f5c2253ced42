package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/reservation"
)

// findBudget returns the budget for (year, line) of the unit nearest to the
// case's unit on its path to the root: a station's own budget pays first,
// else the bureau's. ok is false when none exists.
func findBudget(ctx context.Context, w *uow.Work, unitToRoot []uuid.UUID, year int, line string) (uuid.UUID, bool, error) {
	for _, unit := range unitToRoot {
		owner, ok, err := reservedOwner(ctx, w, reservation.AllocationStream(unit, year, line))
		if err != nil {
			return uuid.Nil, false, fmt.Errorf("budget key: %w", err)
		}
		if ok {
			return owner, true, nil
		}
	}
	return uuid.Nil, false, nil
}
