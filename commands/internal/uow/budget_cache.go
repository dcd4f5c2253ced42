package uow

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/event"
)

// BudgetCache keeps the budgets this process has read, as of the version
// it read, so that a budget — whose stream grows by events for every case
// of its year — is not read whole for each approval: only what follows the
// cached version is read and applied. Entries are states rebuilt from
// stored events only, so a cached budget is never ahead of the store.
type BudgetCache struct {
	mu      sync.Mutex
	budgets map[uuid.UUID]*budget.Budget
}

// NewBudgetCache returns an empty cache.
func NewBudgetCache() *BudgetCache { return &BudgetCache{budgets: map[uuid.UUID]*budget.Budget{}} }

func (c *BudgetCache) get(id uuid.UUID) *budget.Budget {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.budgets[id]
}

func (c *BudgetCache) put(b *budget.Budget) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.budgets[b.ID()]; old == nil || old.Version() < b.Version() {
		c.budgets[b.ID()] = b
	}
}

// LoadBudgetAggregate loads a budget under this process's lock on its
// stream (see LoadLocked), from the cache and what follows it when it can,
// and records the version read for the commit's check. The budget returned
// is the caller's to change.
func (w *Work) LoadBudgetAggregate(ctx context.Context, id uuid.UUID) (*budget.Budget, error) {
	stream := budget.Stream(id)
	if w.budgets == nil {
		history, err := w.LoadLocked(ctx, stream)
		if err != nil {
			return nil, err
		}
		if len(history) == 0 {
			return nil, fmt.Errorf("budget %s: %w", id, ErrNotFound)
		}
		return budget.LoadBudget(id, history)
	}
	if err := w.LockOnly(ctx, stream); err != nil {
		return nil, err
	}
	var b *budget.Budget
	if cached := w.budgets.get(id); cached != nil {
		more, err := w.store.ReadStream(ctx, stream, cached.Version()+1)
		if err != nil && !errors.Is(err, event.ErrNotFound) {
			return nil, err
		}
		if b, err = cached.Continue(more); err != nil {
			return nil, err
		}
	} else {
		history, err := w.store.ReadStream(ctx, stream, 1)
		if errors.Is(err, event.ErrNotFound) {
			return nil, fmt.Errorf("budget %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		if b, err = budget.LoadBudget(id, history); err != nil {
			return nil, err
		}
	}
	w.budgets.put(b)
	if err := w.NoteRead(stream, b.Version()); err != nil {
		return nil, err
	}
	return b.Continue(nil) // a copy: the cached state stays as stored
}
