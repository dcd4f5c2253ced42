package uow

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
)

// OpenAssignments reads the steps account holds now.
func OpenAssignments(ctx context.Context, store EventStore, account uuid.UUID) ([]casework.Assignment, error) {
	history, err := store.ReadStream(ctx, casework.AssignmentStream(account), 1)
	if err != nil {
		if errors.Is(err, event.ErrNotFound) {
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
