package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

// Password length bounds: long enough to resist guessing at the hash's
// cost, short enough that hashing stays cheap to bound.
const (
	minPasswordLen = 10
	maxPasswordLen = 128
)

// EmployeeAccountName is the name an employee's own account carries.
const EmployeeAccountName = "employee"

// OpenAccount opens a sign-in account, for a member of staff or for an
// employee (EmployeeID set), who then sees only their own data.
type OpenAccount struct {
	Login      string
	Password   string
	Name       string
	EmployeeID *uuid.UUID
}

// OpenAccount needs accounts.manage at the employee's unit, or at the root
// for a staff account.
func (a *App) OpenAccount(ctx context.Context, actor Actor, cmd OpenAccount) (uuid.UUID, Written, error) {
	login := strings.ToLower(strings.TrimSpace(cmd.Login))
	if n := utf8.RuneCountInString(cmd.Password); n < minPasswordLen || n > maxPasswordLen {
		return uuid.Nil, Written{}, &fault.ValidationError{Field: "password", Reason: fmt.Sprintf("must be %d to %d characters", minPasswordLen, maxPasswordLen)}
	}
	id := uow.NewID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "OpenAccount", nil, func(w *uow.Work) (event.Metadata, error) {
		var target *org.Unit
		var err error
		if cmd.EmployeeID != nil {
			_, target, err = uow.LoadEmployeeAt(ctx, w, *cmd.EmployeeID)
		} else {
			target, err = loadRoot(ctx, w)
		}
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermAccountsManage, target)
		if err != nil {
			return event.Metadata{}, err
		}
		name := cmd.Name
		if cmd.EmployeeID != nil {
			// An employee's name is personal data, sealed in their own
			// record; the account, whose events outlive an erasure, keeps
			// only a label.
			name = EmployeeAccountName
		}
		account, err := access.OpenAccount(id, login, name, cmd.EmployeeID)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := account.SetPassword(); err != nil {
			return event.Metadata{}, err
		}
		if err := reserve(ctx, w, reservation.LoginStream(login), "login "+login, id); err != nil {
			return event.Metadata{}, err
		}
		if cmd.EmployeeID != nil {
			if err := reserve(ctx, w, reservation.EmployeeAccountStream(*cmd.EmployeeID), "the employee's own account", id); err != nil {
				return event.Metadata{}, err
			}
		}
		w.Add(account.Stream(), account.Changes()...)
		return meta, nil
	})
	if err != nil {
		return uuid.Nil, Written{}, err
	}
	hash, err := a.hasher.Hash(cmd.Password)
	if err == nil {
		err = a.credentials.SetPassword(ctx, id, login, hash)
	}
	if err != nil {
		return uuid.Nil, Written{}, fmt.Errorf("account %s opened, but its password was not stored (set it again): %w", id, err)
	}
	return id, Written{pos}, nil
}

// loadRoot loads the organisation's root unit.
func loadRoot(ctx context.Context, w *uow.Work) (*org.Unit, error) {
	owner, ok, err := reservedOwner(ctx, w, reservation.RootStream)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("the root unit: %w (establish it first)", ErrNotFound)
	}
	return uow.LoadUnit(ctx, w, owner)
}

// AssignPosition gives an account a position with roles at a unit.
type AssignPosition struct {
	AccountID uuid.UUID
	UnitID    uuid.UUID
	Title     string
	Roles     []access.Role
}

// AssignPosition needs accounts.manage at the unit. The first bureau
// administrator at the root ends the bootstrap token's rights.
func (a *App) AssignPosition(ctx context.Context, actor Actor, cmd AssignPosition) (uuid.UUID, Written, error) {
	positionID := uow.NewID(actor, "position")
	pos, err := a.attempt(ctx, actor, "AssignPosition", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermAccountsManage, cmd.UnitID)
		if err != nil {
			return event.Metadata{}, err
		}
		account, err := a.loadExistingAccount(ctx, w, actor, cmd.AccountID)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := account.AssignPosition(positionID, access.RefOf(unit), cmd.Title, cmd.Roles); err != nil {
			return event.Metadata{}, err
		}
		w.Add(account.Stream(), account.Changes()...)
		if err := indexPosition(w, unit.ID(), access.TypeUnitPositionAssigned, access.UnitPosition{AccountID: account.ID(), PositionID: positionID, Roles: cmd.Roles}); err != nil {
			return event.Metadata{}, err
		}
		if unit.ParentID() == uuid.Nil && containsRole(cmd.Roles, access.RoleBureauAdmin) {
			history, err := w.Load(ctx, access.BootstrapStream)
			if err != nil {
				return event.Metadata{}, err
			}
			if len(history) == 0 {
				ended, err := event.New(access.TypeBootstrapEnded, access.BootstrapEnded{AdministratorAccountID: cmd.AccountID})
				if err != nil {
					return event.Metadata{}, err
				}
				w.Add(access.BootstrapStream, ended)
			}
		}
		return meta, nil
	})
	return positionID, Written{pos}, err
}

// loadExistingAccount loads the account a command acts on; a missing one is
// ErrNotFound.
func (a *App) loadExistingAccount(ctx context.Context, w *uow.Work, actor Actor, id uuid.UUID) (*access.Account, error) {
	history, err := w.Load(ctx, access.AccountStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("account %s: %w", id, ErrNotFound)
	}
	return access.LoadAccount(id, history)
}

func containsRole(roles []access.Role, r access.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// VacatePosition ends a position; its rights end with the event. Open work
// assigned to the holder is handed over to the successor (see the cases
// feature); HandedOver lists it.
type VacatePosition struct {
	AccountID   uuid.UUID
	PositionID  uuid.UUID
	SuccessorID *uuid.UUID
	Reason      string
}

// HandOver is one piece of open work passed to a successor.
type HandOver struct {
	CaseID uuid.UUID
	Step   string
}

// VacatePosition needs accounts.manage at the position's unit.
func (a *App) VacatePosition(ctx context.Context, actor Actor, cmd VacatePosition) ([]HandOver, Written, error) {
	var handed []HandOver
	pos, err := a.attempt(ctx, actor, "VacatePosition", &handed, func(w *uow.Work) (event.Metadata, error) {
		handed = handed[:0]
		account, err := a.loadExistingAccount(ctx, w, actor, cmd.AccountID)
		if err != nil {
			return event.Metadata{}, err
		}
		var unitID uuid.UUID
		for _, p := range account.ActivePositions() {
			if p.ID == cmd.PositionID {
				unitID = p.UnitID
			}
		}
		if unitID == uuid.Nil {
			// Not active: the account says whether it never existed or ended.
			return event.Metadata{}, account.VacatePosition(cmd.PositionID, cmd.SuccessorID, cmd.Reason)
		}
		unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermAccountsManage, unitID)
		if err != nil {
			return event.Metadata{}, err
		}
		if cmd.SuccessorID != nil {
			if _, err := a.loadExistingAccount(ctx, w, actor, *cmd.SuccessorID); err != nil {
				return event.Metadata{}, fmt.Errorf("successor: %w", err)
			}
		}
		if err := account.VacatePosition(cmd.PositionID, cmd.SuccessorID, cmd.Reason); err != nil {
			return event.Metadata{}, err
		}
		w.Add(account.Stream(), account.Changes()...)
		if err := indexPosition(w, unit.ID(), access.TypeUnitPositionVacated, access.UnitPosition{AccountID: cmd.AccountID, PositionID: cmd.PositionID}); err != nil {
			return event.Metadata{}, err
		}
		successors := []uuid.UUID{}
		if cmd.SuccessorID != nil {
			successors = append(successors, *cmd.SuccessorID)
		} else if successors, err = a.approversAt(ctx, unit.ID(), cmd.AccountID); err != nil {
			return event.Metadata{}, err
		}
		if handed, err = a.handOver(ctx, w, cmd.AccountID, successors, unit); err != nil {
			return event.Metadata{}, err
		}
		return meta, nil
	})
	if err != nil {
		return nil, Written{}, err
	}
	return append([]HandOver{}, handed...), Written{pos}, nil
}

// handOver passes the steps from holds, in cases of the vacated position's
// unit and below it, to the first of successors who may hold each (the
// named successor, else the unit's other approvers), in the vacate's own
// transaction: the hand-over and the end of the old holder's rights are
// one event in time. A step no candidate may hold (they filed the case, or
// hold or decided another of its steps) stays where it is, for an
// administrator to reassign.
func (a *App) handOver(ctx context.Context, w *uow.Work, from uuid.UUID, successors []uuid.UUID, at *org.Unit) ([]HandOver, error) {
	open, err := uow.OpenAssignments(ctx, a.store, from)
	if err != nil {
		return nil, err
	}
	var handed []HandOver
	for _, x := range open {
		unit, err := uow.LoadUnit(ctx, w, x.UnitID)
		if err != nil {
			return nil, err
		}
		if unit.ID() != at.ID() && !unit.WithinSubtreeOf(at.ID()) {
			continue
		}
		c, err := uow.LoadCase(ctx, w, x.CaseID)
		if err != nil {
			return nil, err
		}
		before := held(c)
		passed := false
		for _, to := range successors {
			err := c.ReassignStep(x.Step, from, to, "hand-over on vacating a position")
			if err == nil {
				passed = true
				break
			}
			if !errors.Is(err, casework.ErrSegregation) && !errors.Is(err, casework.ErrInconsistent) && !errors.Is(err, fault.ErrInvalidState) {
				return nil, err
			}
		}
		if !passed {
			continue
		}
		w.Add(c.Stream(), c.Changes()...)
		if err := trackAssignments(w, c, before); err != nil {
			return nil, err
		}
		handed = append(handed, HandOver{CaseID: c.ID(), Step: x.Step})
	}
	return handed, nil
}
