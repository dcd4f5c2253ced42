package commands

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// A unit's positions: every position assigned at the unit and every vacate,
// written in the same transaction as the account's own event, so that a
// hand-over with no named successor can find the unit's other approvers
// from the event store itself.
const (
	typeUnitPositionAssigned = "unit_position.assigned"
	typeUnitPositionVacated  = "unit_position.vacated"
)

// UnitPositionsStream indexes the positions held at a unit.
func UnitPositionsStream(unit uuid.UUID) string { return "unit-positions-" + unit.String() }

type unitPosition struct {
	AccountID  uuid.UUID     `json:"account_id"`
	PositionID uuid.UUID     `json:"position_id"`
	Roles      []access.Role `json:"roles,omitempty"`
}

func indexPosition(w *work, unit uuid.UUID, typ string, p unitPosition) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	w.addIndex(UnitPositionsStream(unit), event.Event{ID: event.NewID(), Type: typ, Data: data})
	return nil
}

// approversAt returns the accounts holding an active approver position at
// unit, in the order they were appointed, except the one given.
func (a *App) approversAt(ctx context.Context, unit, except uuid.UUID) ([]uuid.UUID, error) {
	history, err := a.store.ReadStream(ctx, UnitPositionsStream(unit), 1)
	if errors.Is(err, event.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	active := map[uuid.UUID]unitPosition{}
	var order []uuid.UUID
	for _, e := range history {
		var p unitPosition
		if err := jsonDecode(e.Data, &p); err != nil {
			return nil, err
		}
		switch e.Type {
		case typeUnitPositionAssigned:
			active[p.PositionID] = p
			order = append(order, p.PositionID)
		case typeUnitPositionVacated:
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
