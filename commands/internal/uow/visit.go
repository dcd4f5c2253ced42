package uow

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/visit"
)

// LoadVisit rebuilds a condolence visit in w; a missing one is
// ErrNotFound.
func LoadVisit(ctx context.Context, w *Work, id uuid.UUID) (*visit.Visit, error) {
	return rebuild(ctx, w, visit.Stream(id), "visit "+id.String(), func(history []event.Recorded) (*visit.Visit, error) {
		return visit.Load(id, history)
	})
}
