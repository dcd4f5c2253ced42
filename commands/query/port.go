package query

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// ReadModels is the port to the read models. Every list returns a page
// and the cursor of the next page (0 when the page is the last); every
// matching row appears on exactly one page, however the pages are
// fetched. A filter's Limit is the page size: DefaultLimit when 0 or
// less, at most MaxLimit.
type ReadModels interface {
	Cases(ctx context.Context, f CaseFilter) ([]CaseRow, int64, error)
	Budgets(ctx context.Context, f BudgetFilter) ([]BudgetRow, int64, error)
	// Inbox lists the steps waiting for account, oldest turn first.
	Inbox(ctx context.Context, account uuid.UUID, page Page) ([]InboxRow, int64, error)
	Payments(ctx context.Context, f PaymentFilter) ([]PaymentRow, int64, error)
	Stats(ctx context.Context, r StatsRequest) ([]StatsRow, error)
	// Trail lists a subject's money trail in global order.
	Trail(ctx context.Context, f TrailFilter) ([]TrailRow, int64, error)
	CareReadModels
	VisitReadModels
}

// Progress is how far the read models have got.
type Progress interface {
	// Wait returns once the named read models (by projection name; every
	// one when none is named) have applied the event at pos and all
	// before it, or ErrLagging when ctx ends first; it looks at least
	// every poll.
	Wait(ctx context.Context, pos int64, poll time.Duration, readModels ...string) error
	// Status reports every read model's checkpoint, lag and self-check.
	Status(ctx context.Context) ([]Status, error)
}

// The page sizes of lists.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is a cursor and a page size, as a list takes them.
type Page struct {
	After int64 // the cursor returned with the previous page, 0 for the first
	Limit int
}

// Size is the page size Limit asks for, within [1, MaxLimit].
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}
