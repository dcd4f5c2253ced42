package query

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/org"
)

// UnitView is a unit as a query returns it.
type UnitView struct {
	ID       uuid.UUID
	Name     string
	Code     string
	Level    org.Level
	ParentID uuid.UUID
	Path     []uuid.UUID
	Children []uuid.UUID
	Closed   bool
	Version  int64
}

// GetUnit returns a unit to an actor with any role on it.
func (s *Service) GetUnit(ctx context.Context, actor uow.Actor, id uuid.UUID) (UnitView, error) {
	w := uow.NewWork(s.store)
	unit, err := uow.LoadUnit(ctx, w, id)
	if err != nil {
		return UnitView{}, err
	}
	if _, err := s.gate.Authorize(ctx, w, actor, access.PermOrgRead, unit); err != nil {
		return UnitView{}, err
	}
	return UnitView{
		ID: unit.ID(), Name: unit.Name(), Code: unit.Code(), Level: unit.Level(), ParentID: unit.ParentID(),
		Path: unit.Path(), Children: unit.Children(), Closed: unit.Closed(), Version: unit.Version(),
	}, nil
}

// FlowView is the flow that governs a unit for a category: the unit's own,
// or (Inherited) its nearest ancestor's, which UnitID names.
type FlowView struct {
	UnitID      uuid.UUID
	Category    string
	FlowVersion int // the configuration number a case records
	Steps       []casework.FlowStep
	Inherited   bool
	Version     int64 // the version of UnitID's flow stream (its ETag)
}

// GetFlow returns the flow that governs unit for category to anyone with
// org.read there. No flow on the unit's path is uow.ErrNotFound.
func (s *Service) GetFlow(ctx context.Context, actor uow.Actor, unitID uuid.UUID, category string) (FlowView, error) {
	w := uow.NewWork(s.store)
	unit, err := uow.LoadUnit(ctx, w, unitID)
	if err != nil {
		return FlowView{}, err
	}
	if _, err := s.gate.Authorize(ctx, w, actor, access.PermOrgRead, unit); err != nil {
		return FlowView{}, err
	}
	if err := uow.CheckCategory(category); err != nil {
		return FlowView{}, err
	}
	path := unit.Path()
	upward := []uuid.UUID{unit.ID()}
	for i := len(path) - 1; i >= 0; i-- {
		upward = append(upward, path[i])
	}
	flows := map[uuid.UUID]*casework.Flow{}
	for _, id := range upward {
		history, err := w.Load(ctx, casework.FlowStream(id, category))
		if err != nil {
			return FlowView{}, err
		}
		if len(history) == 0 {
			continue
		}
		if flows[id], err = casework.LoadFlow(id, category, history); err != nil {
			return FlowView{}, err
		}
		break
	}
	flow, ok := casework.Nearest(flows, upward)
	if !ok {
		return FlowView{}, fmt.Errorf("no %s flow at unit %s or above it: %w", category, unitID, uow.ErrNotFound)
	}
	return FlowView{
		UnitID: flow.UnitID(), Category: category, FlowVersion: flow.FlowVersion(), Steps: flow.Steps(),
		Inherited: flow.UnitID() != unitID, Version: flow.Version(),
	}, nil
}
