package query

import (
	"context"
	"errors"
	"fmt"

	"encoding/json"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/fault"
)

// StandardView is one standard as a query returns it: the definition asked
// for (the current one unless a version was named), whether the standard is
// retired, and the version of its stream (its ETag).
type StandardView struct {
	Definition catalogue.Definition
	Versions   int // how many versions the standard has had
	Retired    bool
	Version    int64
}

// mayReadCatalogue admits every signed-in account, staff and employees
// alike: the standards are the union's published policy, which employees
// read before they apply.
func (s *Service) mayReadCatalogue(ctx context.Context, w *uow.Work, actor uow.Actor) error {
	if actor.Bootstrap {
		return nil
	}
	_, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
	return err
}

// ListStandards returns every published standard in the order they were
// published, each with its current definition.
func (s *Service) ListStandards(ctx context.Context, actor uow.Actor) ([]StandardView, error) {
	w := uow.NewWork(s.store)
	if err := s.mayReadCatalogue(ctx, w, actor); err != nil {
		return nil, err
	}
	registry, err := w.Load(ctx, catalogue.CatalogueStream)
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
		st, err := uow.LoadStandard(ctx, w, listed.Code)
		if err != nil {
			if errors.Is(err, uow.ErrNotFound) {
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
func (s *Service) GetStandard(ctx context.Context, actor uow.Actor, code string, version int) (StandardView, error) {
	w := uow.NewWork(s.store)
	if err := s.mayReadCatalogue(ctx, w, actor); err != nil {
		return StandardView{}, err
	}
	st, err := uow.LoadStandard(ctx, w, code)
	if err != nil {
		return StandardView{}, err
	}
	def := st.Current()
	if version != 0 {
		if def, err = st.Version(version); err != nil {
			return StandardView{}, fmt.Errorf("%w: %w", uow.ErrNotFound, err)
		}
	}
	return viewStandard(st, def), nil
}

func viewStandard(st *catalogue.Standard, def catalogue.Definition) StandardView {
	retired, _ := st.Retired()
	return StandardView{Definition: def, Versions: st.Current().Version, Retired: retired, Version: st.StreamVersion()}
}
