package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/reservation"
)

// reserve claims a unique name (see package reservation) for owner in
// w's transaction; a name taken already is fault.ErrConflict.
func reserve(ctx context.Context, w *uow.Work, stream, what string, owner uuid.UUID) error {
	if _, taken, err := reservedOwner(ctx, w, stream); err != nil || taken {
		if err != nil {
			return err
		}
		return fmt.Errorf("%s: %w: already taken", what, fault.ErrConflict)
	}
	w.Add(stream, reservation.Event(owner))
	return nil
}

// reservedOwner reads the owner of the name stream claims in w; ok is
// false while the name is free.
func reservedOwner(ctx context.Context, w *uow.Work, stream string) (owner uuid.UUID, ok bool, err error) {
	history, err := w.Load(ctx, stream)
	if err != nil {
		return uuid.Nil, false, err
	}
	return reservation.OwnerOf(history)
}
