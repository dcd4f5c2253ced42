package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// Approval flows (F4, F5): each unit may configure, per category of aid,
// the steps a case goes through, each assigned to a named approver and
// skipped below its amount. A unit without its own flow uses its nearest
// ancestor's.

// ConfigureFlow sets the approval steps of a unit for a category of aid.
type ConfigureFlow struct {
	UnitID   uuid.UUID
	Category string
	Steps    []casework.FlowStep
	IfMatch  int64 // the version of the unit's own flow stream the caller saw; 0: any
}

// ConfigureFlow sets the whole step list of unit's flow for category as its
// next version; cases already submitted keep the version they were
// submitted under. It needs org.manage at the unit. Every assignee must be
// an open account holding an active position with the approver role at the
// unit or above it, else a *ValidationError on
// steps[i].assignee_account_id; the command commits only if those accounts
// are unchanged, so a step is never given to a position vacated meanwhile.
// It returns the flow's configuration number; the same
// steps again write nothing.
func (a *App) ConfigureFlow(ctx context.Context, actor Actor, cmd ConfigureFlow) (int64, Written, error) {
	unitID, category, steps, ifMatchVersion := cmd.UnitID, cmd.Category, cmd.Steps, cmd.IfMatch
	var version int64
	pos, err := a.attempt(ctx, actor, "ConfigureFlow", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermOrgManage, unitID)
		if err != nil {
			return event.Metadata{}, err
		}
		if unit.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		if err := uow.CheckCategory(category); err != nil {
			return event.Metadata{}, err
		}
		history, err := w.Load(ctx, casework.FlowStream(unitID, category))
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
		w.Add(flow.Stream(), flow.Changes()...)
		version = int64(flow.FlowVersion())
		return meta, nil
	})
	if err != nil {
		return 0, Written{}, err
	}
	return version, Written{pos}, nil
}

// refuseAssignee says why account id may not hold a step of unit's flow,
// or "" when it may: it is open and holds an active approver position at
// the unit or one of its ancestors. The account is loaded into w, so the
// command requires it unchanged at commit.
func (a *App) refuseAssignee(ctx context.Context, w *uow.Work, actor Actor, unit *org.Unit, id uuid.UUID) (string, error) {
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
