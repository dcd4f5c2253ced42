package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// The catalogue of aid standards (F2, F3): bureau-wide standards owned by
// the root, and a station's own programmes owned by the station. Each
// standard is its own stream; the registry stream lists every code ever
// published, so that the catalogue is read from the event store alone.

// PublishStandard publishes a new standard.
type PublishStandard struct {
	Definition catalogue.Definition
}

// ReviseStandard publishes the next version of a standard.
type ReviseStandard struct {
	Code       string
	Definition catalogue.Definition
	IfMatch    int64 // the standard's stream version the caller saw (its ETag); 0: any
}

// PublishStandard publishes def as version 1 of a new standard. It needs
// catalogue.manage at def.OwnerUnitID (uuid.Nil: the root, for a
// bureau-wide standard). A code already published is
// A code already published is fault.ErrConflict: the next version of a
// standard is a revision.
func (a *App) PublishStandard(ctx context.Context, actor Actor, cmd PublishStandard) (Written, error) {
	def := cmd.Definition
	pos, err := a.attempt(ctx, actor, "PublishStandard", nil, func(w *uow.Work) (event.Metadata, error) {
		var owner *org.Unit
		var err error
		if def.OwnerUnitID == uuid.Nil {
			owner, err = loadRoot(ctx, w)
			if err != nil {
				return event.Metadata{}, err
			}
			def.OwnerUnitID = owner.ID()
		}
		if err := def.Validate(); err != nil {
			return event.Metadata{}, err
		}
		if owner == nil {
			if owner, err = uow.LoadUnit(ctx, w, def.OwnerUnitID); err != nil {
				return event.Metadata{}, fmt.Errorf("owner_unit_id: %w", err)
			}
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermCatalogueManage, owner)
		if err != nil {
			return event.Metadata{}, err
		}
		if owner.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		history, err := w.Load(ctx, catalogue.StandardStream(def.Code))
		if err != nil {
			return event.Metadata{}, err
		}
		if len(history) > 0 {
			return event.Metadata{}, fmt.Errorf("standard code %s: %w; publish its next version with a revision", def.Code, fault.ErrConflict)
		}
		st, err := catalogue.Publish(def)
		if err != nil {
			return event.Metadata{}, err
		}
		if _, err := w.Load(ctx, catalogue.CatalogueStream); err != nil {
			return event.Metadata{}, err
		}
		listed, err := event.New(catalogue.TypeCatalogueListed, catalogue.CatalogueListed{Code: st.Code(), OwnerUnitID: def.OwnerUnitID})
		if err != nil {
			return event.Metadata{}, err
		}
		w.Add(st.Stream(), st.Changes()...)
		w.Add(catalogue.CatalogueStream, listed)
		return meta, nil
	})
	return Written{pos}, err
}

// ReviseStandard publishes the next version of the standard with code; def
// replaces the whole current definition for new cases, and cases already
// under an earlier version keep it. It needs catalogue.manage at the
// standard's owner unit; the owner does not change (an empty owner means
// the standard's own). A definition equal to the current one writes
// nothing.
func (a *App) ReviseStandard(ctx context.Context, actor Actor, cmd ReviseStandard) (Written, error) {
	code, def, ifMatchVersion := cmd.Code, cmd.Definition, cmd.IfMatch
	pos, err := a.attempt(ctx, actor, "ReviseStandard", nil, func(w *uow.Work) (event.Metadata, error) {
		st, err := uow.LoadStandard(ctx, w, code)
		if err != nil {
			return event.Metadata{}, err
		}
		ownerID := st.Current().OwnerUnitID
		_, meta, err := a.authorizedAt(ctx, w, actor, access.PermCatalogueManage, ownerID)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(ifMatchVersion, st.Stream(), st.StreamVersion()); err != nil {
			return event.Metadata{}, err
		}
		switch def.OwnerUnitID {
		case uuid.Nil:
			def.OwnerUnitID = ownerID
		case ownerID:
		default:
			return event.Metadata{}, &fault.ValidationError{Field: "owner_unit_id", Reason: "must be the standard's owner " + ownerID.String() + "; a standard does not change hands"}
		}
		if err := st.Revise(def); err != nil {
			return event.Metadata{}, err
		}
		w.Add(st.Stream(), st.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}
