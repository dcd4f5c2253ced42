package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// Approval flows (F4, F5): each unit may configure, per category of aid,
// the steps a case goes through, each assigned to a named approver and
// skipped below its amount. A unit without its own flow uses its nearest
// ancestor's.

// ConfigureFlow sets the whole step list of unit's flow for category as its
// next version; cases already submitted keep the version they were
// submitted under. It needs org.manage at the unit. Every assignee must be
// an open account holding an active position with the approver role at the
// unit or above it, else a *ValidationError on
// steps[i].assignee_account_id; the command commits only if those accounts
// are unchanged, so a step is never given to a position vacated meanwhile.
// ifMatchVersion is the version of the unit's own flow stream the caller
// saw, 0 for any. It returns the flow's configuration number; the same
// steps again write nothing.
func (a *App) ConfigureFlow(ctx context.Context, actor Actor, unitID uuid.UUID, category string, steps []casework.FlowStep, ifMatchVersion int64) (int64, Written, error) {
	var version int64
	pos, err := a.attempt(ctx, actor, "ConfigureFlow", nil, func(w *work) (event.Metadata, error) {
		unit, err := loadUnit(ctx, w, unitID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.authorize(ctx, w, actor, access.PermOrgManage, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if unit.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		if err := checkCategory(category); err != nil {
			return event.Metadata{}, err
		}
		history, err := w.load(ctx, casework.FlowStream(unitID, category))
		if err != nil {
			return event.Metadata{}, err
		}
		stream := casework.FlowStream(unitID, category)
		var flow *casework.Flow
		if len(history) == 0 {
			if err := ifMatch(ifMatchVersion, stream, 0); err != nil {
				return event.Metadata{}, err
			}
			flow, err = casework.ConfigureFlow(unitID, category, steps)
		} else if flow, err = casework.LoadFlow(unitID, category, history); err == nil {
			if err = ifMatch(ifMatchVersion, stream, flow.Version()); err == nil {
				err = flow.Configure(steps)
			}
		}
		if err != nil {
			return event.Metadata{}, err
		}
		for i, s := range steps {
			reason, err := a.refuseAssignee(ctx, w, actor, unit, s.AssigneeAccountID)
			if err != nil {
				return event.Metadata{}, err
			}
			if reason != "" {
				return event.Metadata{}, &fault.ValidationError{Field: fmt.Sprintf("steps[%d].assignee_account_id", i), Reason: reason}
			}
		}
		w.add(flow.Stream(), flow.Changes()...)
		version = int64(flow.FlowVersion())
		return meta, nil
	})
	if err != nil {
		return 0, Written{}, err
	}
	return version, Written{pos}, nil
}

// checkCategory: flows exist for the catalogue's categories only.
func checkCategory(category string) error {
	if !catalogue.Category(category).Valid() {
		return &fault.ValidationError{Field: "category", Reason: fmt.Sprintf("must be %s, %s or %s",
			catalogue.CategoryHardship, catalogue.CategoryMedical, catalogue.CategoryEducation)}
	}
	return nil
}

// refuseAssignee says why account id may not hold a step of unit's flow,
// or "" when it may: it is open and holds an active approver position at
// the unit or one of its ancestors. The account is loaded into w, so the
// command requires it unchanged at commit.
func (a *App) refuseAssignee(ctx context.Context, w *work, actor Actor, unit *org.Unit, id uuid.UUID) (string, error) {
	account, err := a.loadExistingAccount(ctx, w, actor, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return "names no account", nil
	case err != nil:
		return "", err
	case account.Closed():
		return "names a closed account", nil
	}
	reach := slices.Concat(unit.Path(), []uuid.UUID{unit.ID()})
	for _, p := range account.ActivePositions() {
		if slices.Contains(reach, p.UnitID) && slices.Contains(p.Roles, access.RoleApprover) {
			return "", nil
		}
	}
	return "names an account without an active approver position at this unit or above it", nil
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
// org.read there. No flow on the unit's path is ErrNotFound.
func (a *App) GetFlow(ctx context.Context, actor Actor, unitID uuid.UUID, category string) (FlowView, error) {
	w := newWork(a.store)
	unit, err := loadUnit(ctx, w, unitID)
	if err != nil {
		return FlowView{}, err
	}
	if _, err := a.authorize(ctx, w, actor, access.PermOrgRead, unit); err != nil {
		return FlowView{}, err
	}
	if err := checkCategory(category); err != nil {
		return FlowView{}, err
	}
	path := unit.Path()
	upward := []uuid.UUID{unit.ID()}
	for i := len(path) - 1; i >= 0; i-- {
		upward = append(upward, path[i])
	}
	flows := map[uuid.UUID]*casework.Flow{}
	for _, id := range upward {
		history, err := w.load(ctx, casework.FlowStream(id, category))
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
		return FlowView{}, fmt.Errorf("no %s flow at unit %s or above it: %w", category, unitID, ErrNotFound)
	}
	return FlowView{
		UnitID: flow.UnitID(), Category: category, FlowVersion: flow.FlowVersion(), Steps: flow.Steps(),
		Inherited: flow.UnitID() != unitID, Version: flow.Version(),
	}, nil
}
