package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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

// StandardView is one standard as a query returns it: the definition asked
// for (the current one unless a version was named), whether the standard is
// retired, and the version of its stream (its ETag).
type StandardView struct {
	Definition catalogue.Definition
	Versions   int // how many versions the standard has had
	Retired    bool
	Version    int64
}

// PublishStandard publishes def as version 1 of a new standard. It needs
// catalogue.manage at def.OwnerUnitID (uuid.Nil: the root, for a
// bureau-wide standard). A code already published is
// A code already published is fault.ErrConflict: the next version of a
// standard is a revision.
func (a *App) PublishStandard(ctx context.Context, actor Actor, def catalogue.Definition) (Written, error) {
	pos, err := a.attempt(ctx, actor, "PublishStandard", nil, func(w *work) (event.Metadata, error) {
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
			if owner, err = loadUnit(ctx, w, def.OwnerUnitID); err != nil {
				return event.Metadata{}, fmt.Errorf("owner_unit_id: %w", err)
			}
		}
		meta, err := a.authorize(ctx, w, actor, access.PermCatalogueManage, owner)
		if err != nil {
			return event.Metadata{}, err
		}
		if owner.Closed() {
			return event.Metadata{}, org.ErrUnitClosed
		}
		history, err := w.load(ctx, catalogue.StandardStream(def.Code))
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
		if _, err := w.load(ctx, catalogue.CatalogueStream); err != nil {
			return event.Metadata{}, err
		}
		listed, err := event.New(catalogue.TypeCatalogueListed, catalogue.CatalogueListed{Code: st.Code(), OwnerUnitID: def.OwnerUnitID})
		if err != nil {
			return event.Metadata{}, err
		}
		w.add(st.Stream(), st.Changes()...)
		w.add(catalogue.CatalogueStream, listed)
		return meta, nil
	})
	return Written{pos}, err
}

// ReviseStandard publishes the next version of the standard with code; def
// replaces the whole current definition for new cases, and cases already
// under an earlier version keep it. It needs catalogue.manage at the
// standard's owner unit; the owner does not change (an empty owner means
// the standard's own). ifMatch is the standard's stream version the caller
// saw (its ETag), 0 for any. A definition equal to the current one writes
// nothing.
func (a *App) ReviseStandard(ctx context.Context, actor Actor, code string, def catalogue.Definition, ifMatchVersion int64) (Written, error) {
	pos, err := a.attempt(ctx, actor, "ReviseStandard", nil, func(w *work) (event.Metadata, error) {
		st, err := loadStandard(ctx, w, code)
		if err != nil {
			return event.Metadata{}, err
		}
		ownerID := st.Current().OwnerUnitID
		owner, err := loadUnit(ctx, w, ownerID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.authorize(ctx, w, actor, access.PermCatalogueManage, owner)
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
		w.add(st.Stream(), st.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// loadStandard rebuilds the standard with code in w; an unpublished code is
// ErrNotFound.
func loadStandard(ctx context.Context, w *work, code string) (*catalogue.Standard, error) {
	history, err := w.load(ctx, catalogue.StandardStream(code))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("standard %q: %w", code, ErrNotFound)
	}
	return catalogue.LoadStandard(code, history)
}

// mayReadCatalogue admits every signed-in account, staff and employees
// alike: the standards are the union's published policy, which employees
// read before they apply.
func (a *App) mayReadCatalogue(ctx context.Context, w *work, actor Actor) error {
	if actor.Bootstrap {
		return nil
	}
	_, err := a.loadAccount(ctx, w, actor.AccountID)
	return err
}

// ListStandards returns every published standard in the order they were
// published, each with its current definition.
func (a *App) ListStandards(ctx context.Context, actor Actor) ([]StandardView, error) {
	w := newWork(a.store)
	if err := a.mayReadCatalogue(ctx, w, actor); err != nil {
		return nil, err
	}
	registry, err := w.load(ctx, catalogue.CatalogueStream)
	if err != nil {
		return nil, err
	}
	out := make([]StandardView, 0, len(registry))
	for _, e := range registry {
		if e.Type != catalogue.TypeCatalogueListed {
			return nil, &fault.HistoryError{Stream: catalogue.CatalogueStream, Version: e.Version, Type: e.Type, Err: fault.ErrUnknownEvent}
		}
		var listed catalogue.CatalogueListed
		if err := json.Unmarshal(e.Data, &listed); err != nil {
			return nil, &fault.HistoryError{Stream: catalogue.CatalogueStream, Version: e.Version, Type: e.Type, Err: err}
		}
		st, err := loadStandard(ctx, w, listed.Code)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				err = &fault.HistoryError{Stream: catalogue.CatalogueStream, Version: e.Version, Type: e.Type, Err: err}
			}
			return nil, err
		}
		out = append(out, viewStandard(st, st.Current()))
	}
	return out, nil
}

// GetStandard returns the standard with code at version (0: the current
// one). Earlier versions stay readable: cases decided under them cite them.
func (a *App) GetStandard(ctx context.Context, actor Actor, code string, version int) (StandardView, error) {
	w := newWork(a.store)
	if err := a.mayReadCatalogue(ctx, w, actor); err != nil {
		return StandardView{}, err
	}
	st, err := loadStandard(ctx, w, code)
	if err != nil {
		return StandardView{}, err
	}
	def := st.Current()
	if version != 0 {
		if def, err = st.Version(version); err != nil {
			return StandardView{}, fmt.Errorf("%w: %w", ErrNotFound, err)
		}
	}
	return viewStandard(st, def), nil
}

func viewStandard(st *catalogue.Standard, def catalogue.Definition) StandardView {
	retired, _ := st.Retired()
	return StandardView{Definition: def, Versions: st.Current().Version, Retired: retired, Version: st.StreamVersion()}
}
