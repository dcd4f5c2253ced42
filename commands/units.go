package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

// EstablishUnit creates a unit under a parent, or the root bureau.
type EstablishUnit struct {
	Name     string
	Code     string
	Level    org.Level
	ParentID uuid.UUID // uuid.Nil: the root, which only the bootstrap administrator establishes
}

// EstablishUnit returns the new unit's id.
func (a *App) EstablishUnit(ctx context.Context, actor Actor, cmd EstablishUnit) (uuid.UUID, Written, error) {
	id := uow.NewID(actor, "aggregate")
	pos, err := a.attempt(ctx, actor, "EstablishUnit", nil, func(w *uow.Work) (event.Metadata, error) {
		var parent *org.Unit
		if cmd.ParentID != uuid.Nil {
			p, err := uow.LoadUnit(ctx, w, cmd.ParentID)
			if err != nil {
				return event.Metadata{}, err
			}
			parent = p
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermOrgManage, parent)
		if err != nil {
			return event.Metadata{}, err
		}
		if parent == nil {
			if err := reserve(ctx, w, reservation.RootStream, "the root unit", id); err != nil {
				return event.Metadata{}, fmt.Errorf("%w: the organisation has a root already", err)
			}
		}
		unit, err := org.Establish(id, cmd.Name, cmd.Code, cmd.Level, parent)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := reserve(ctx, w, reservation.UnitCodeStream(cmd.Code), "unit code "+cmd.Code, id); err != nil {
			return event.Metadata{}, err
		}
		w.Add(unit.Stream(), unit.Changes()...)
		if parent != nil {
			w.Add(parent.Stream(), parent.Changes()...)
		}
		return meta, nil
	})
	return id, Written{pos}, err
}

// RenameUnit gives a unit a new name.
type RenameUnit struct {
	UnitID  uuid.UUID
	Name    string
	IfMatch int64 // the unit's version the caller saw (its ETag); 0: any
}

func (a *App) RenameUnit(ctx context.Context, actor Actor, cmd RenameUnit) (Written, error) {
	pos, err := a.attempt(ctx, actor, "RenameUnit", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.unitToManage(ctx, w, actor, cmd.UnitID, cmd.IfMatch)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := unit.Rename(cmd.Name); err != nil {
			return event.Metadata{}, err
		}
		w.Add(unit.Stream(), unit.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// MoveUnit moves a unit, with its subtree, under another parent. The actor
// needs the right on the unit and on its new parent.
type MoveUnit struct {
	UnitID      uuid.UUID
	NewParentID uuid.UUID
	IfMatch     int64 // the unit's version the caller saw; 0: any
}

func (a *App) MoveUnit(ctx context.Context, actor Actor, cmd MoveUnit) (Written, error) {
	pos, err := a.attempt(ctx, actor, "MoveUnit", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, err := uow.LoadUnit(ctx, w, cmd.UnitID)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(cmd.IfMatch, unit.Stream(), unit.Version()); err != nil {
			return event.Metadata{}, err
		}
		if unit.ParentID() == uuid.Nil {
			return event.Metadata{}, fmt.Errorf("%w: the root does not move", fault.ErrInvalidState)
		}
		to, err := uow.LoadUnit(ctx, w, cmd.NewParentID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermOrgManage, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if _, err := a.gate.Authorize(ctx, w, actor, access.PermOrgManage, to); err != nil {
			return event.Metadata{}, err
		}
		from, err := uow.LoadUnit(ctx, w, unit.ParentID())
		if err != nil {
			return event.Metadata{}, err
		}
		descendants, err := loadSubtree(ctx, w, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := org.Move(unit, from, to, descendants); err != nil {
			return event.Metadata{}, err
		}
		for _, u := range append([]*org.Unit{unit, from, to}, descendants...) {
			w.Add(u.Stream(), u.Changes()...)
		}
		return meta, nil
	})
	return Written{pos}, err
}

// loadSubtree loads every open unit below u.
func loadSubtree(ctx context.Context, w *uow.Work, u *org.Unit) ([]*org.Unit, error) {
	var out []*org.Unit
	queue := u.Children()
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		child, err := uow.LoadUnit(ctx, w, id)
		if err != nil {
			return nil, err
		}
		out = append(out, child)
		queue = append(queue, child.Children()...)
	}
	return out, nil
}

// CloseUnit closes a unit that has no open work.
type CloseUnit struct {
	UnitID  uuid.UUID
	Reason  string
	IfMatch int64 // the unit's version the caller saw; 0: any
}

func (a *App) CloseUnit(ctx context.Context, actor Actor, cmd CloseUnit) (Written, error) {
	pos, err := a.attempt(ctx, actor, "CloseUnit", nil, func(w *uow.Work) (event.Metadata, error) {
		unit, meta, err := a.unitToManage(ctx, w, actor, cmd.UnitID, cmd.IfMatch)
		if err != nil {
			return event.Metadata{}, err
		}
		var parent *org.Unit
		if unit.ParentID() != uuid.Nil {
			if parent, err = uow.LoadUnit(ctx, w, unit.ParentID()); err != nil {
				return event.Metadata{}, err
			}
		}
		if err := org.CloseUnit(unit, parent, cmd.Reason); err != nil {
			return event.Metadata{}, err
		}
		w.Add(unit.Stream(), unit.Changes()...)
		if parent != nil {
			w.Add(parent.Stream(), parent.Changes()...)
		}
		return meta, nil
	})
	return Written{pos}, err
}

// ifMatch refuses a command whose caller saw another version of the
// aggregate it acts on (If-Match): the caller decided on a stale view.
func ifMatch(want int64, stream string, version int64) error {
	if want == 0 || want == version {
		return nil
	}
	return &staleError{&event.ConcurrencyError{Stream: stream, Expected: event.Exact(want), Actual: version}}
}

// staleError is a refused If-Match: a permanent conflict
// (fault.ErrConflict), since deciding again cannot cure it; the caller
// must read the aggregate afresh. It carries the versions.
type staleError struct{ *event.ConcurrencyError }

func (e *staleError) Unwrap() error { return e.ConcurrencyError }

// Is makes errors.Is(err, fault.ErrConflict) true.
func (e *staleError) Is(target error) bool { return target == fault.ErrConflict }

// unitToManage loads a unit for a change that needs org.manage there, on
// the version the caller saw (If-Match; 0: any).
func (a *App) unitToManage(ctx context.Context, w *uow.Work, actor Actor, id uuid.UUID, version int64) (*org.Unit, event.Metadata, error) {
	unit, meta, err := a.authorizedAt(ctx, w, actor, access.PermOrgManage, id)
	if err != nil {
		return nil, event.Metadata{}, err
	}
	return unit, meta, ifMatch(version, unit.Stream(), unit.Version())
}

// authorizedAt loads unit id and authorises actor for perm there, the
// opening of every command that acts at one unit. It returns the unit and
// the metadata the command's events carry.
func (a *App) authorizedAt(ctx context.Context, w *uow.Work, actor Actor, perm access.Permission, id uuid.UUID) (*org.Unit, event.Metadata, error) {
	unit, err := uow.LoadUnit(ctx, w, id)
	if err != nil {
		return nil, event.Metadata{}, err
	}
	meta, err := a.gate.Authorize(ctx, w, actor, perm, unit)
	if err != nil {
		return nil, event.Metadata{}, err
	}
	return unit, meta, nil
}
