package query

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/event"
)

// asItStood returns the aggregate as it stood at at: current itself when
// at is now, else its stream, read into w and cut at at, folded with load.
// A stream with nothing recorded by then is uow.ErrNotFound, said as
// notYet ("case … was not opened yet then").
func asItStood[T any](ctx context.Context, w *uow.Work, at uow.AsOf, current T, stream, notYet string, load func([]event.Recorded) (T, error)) (T, error) {
	if at.Now() {
		return current, nil
	}
	history, err := w.Load(ctx, stream)
	if err != nil {
		return current, err
	}
	then := at.Cut(history)
	if len(then) == 0 {
		return current, fmt.Errorf("%s: %w", notYet, uow.ErrNotFound)
	}
	return load(then)
}
