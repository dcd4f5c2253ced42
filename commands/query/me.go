package query

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
)

// MeView is the signed-in account as it sees itself: what a client shows
// its user and the ids it acts with, without copying them by hand.
type MeView struct {
	AccountID uuid.UUID // uuid.Nil for the bootstrap administrator
	Bootstrap bool
	Login     string
	Name      string
	Positions []MyPosition
	// EmployeeID is the employee whose account this is; uuid.Nil for a
	// staff account. EmployeeUnitID is the employee's unit.
	EmployeeID     uuid.UUID
	EmployeeUnitID uuid.UUID
}

// MyPosition is a position the account holds now, with its unit's name.
type MyPosition struct {
	PositionID uuid.UUID
	UnitID     uuid.UUID
	UnitName   string
	Title      string
	Roles      []access.Role
}

// Me returns the actor's own account. Anyone signed in may read it; it
// shows nothing the account's holder does not hold already.
func (s *Service) Me(ctx context.Context, actor uow.Actor) (MeView, error) {
	if actor.Bootstrap {
		return MeView{Bootstrap: true, Name: "bootstrap administrator", Positions: []MyPosition{}}, nil
	}
	w := uow.NewWork(s.store)
	account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
	if err != nil {
		return MeView{}, err
	}
	out := MeView{AccountID: account.ID(), Login: account.Login(), Name: account.Name(), Positions: []MyPosition{}}
	for _, p := range account.ActivePositions() {
		unit, err := uow.LoadUnit(ctx, w, p.UnitID)
		if err != nil {
			return MeView{}, err
		}
		out.Positions = append(out.Positions, MyPosition{PositionID: p.ID, UnitID: p.UnitID, UnitName: unit.Name(),
			Title: p.Title, Roles: p.Roles})
	}
	if id, ok := account.EmployeeID(); ok {
		emp, err := uow.LoadEmployee(ctx, w, id)
		if err != nil {
			return MeView{}, err
		}
		out.EmployeeID, out.EmployeeUnitID = id, emp.UnitID()
	}
	return out, nil
}
