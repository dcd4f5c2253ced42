package query

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
)

// InboxRow is a step waiting for an account's decision.
type InboxRow struct {
	CaseID       uuid.UUID
	Step         string
	AccountID    uuid.UUID
	UnitID       uuid.UUID
	EmployeeID   uuid.UUID
	StandardCode string
	AmountFen    int64
	WaitingSince time.Time
	Position     int64
}

// Inbox lists the steps waiting for actor's decision now, oldest turn
// first. Every signed-in account may ask and sees only its own; the
// bootstrap administrator holds no steps. A step that becomes the
// account's turn while it pages comes after every step it has already
// seen, so it appears on a later page.
func (s *Service) Inbox(ctx context.Context, actor uow.Actor, page Page) ([]InboxRow, int64, error) {
	if actor.Bootstrap || actor.AccountID == uuid.Nil {
		return []InboxRow{}, 0, nil
	}
	return s.models.Inbox(ctx, actor.AccountID, page)
}
