package commands

import (
	"context"
	"errors"
	"slices"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// indexPosition records an appointment or a vacate at unit in the unit's
// positions (access.UnitPositionsStream).
func indexPosition(w *uow.Work, unit uuid.UUID, typ string, p access.UnitPosition) error {
	e, err := event.New(typ, p)
	if err != nil {
		return err
	}
	w.AddIndex(access.UnitPositionsStream(unit), e)
	return nil
}

// approversAt returns the accounts holding an active approver position at
// unit, in the order they were appointed, except the one given.
func (a *App) approversAt(ctx context.Context, unit, except uuid.UUID) ([]uuid.UUID, error) {
	history, err := a.store.ReadStream(ctx, access.UnitPositionsStream(unit), 1)
	if errors.Is(err, event.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	active := map[uuid.UUID]access.UnitPosition{}
	var order []uuid.UUID
	for _, e := range history {
		var p access.UnitPosition
		if err := event.Decode(e, &p); err != nil {
			return nil, err
		}
		switch e.Type {
		case access.TypeUnitPositionAssigned:
			active[p.PositionID] = p
			order = append(order, p.PositionID)
		case access.TypeUnitPositionVacated:
			delete(active, p.PositionID)
		}
	}
	var out []uuid.UUID
	for _, id := range order {
		p, ok := active[id]
		if ok && p.AccountID != except && slices.Contains(p.Roles, access.RoleApprover) && !slices.Contains(out, p.AccountID) {
			out = append(out, p.AccountID)
		}
	}
	return out, nil
}
