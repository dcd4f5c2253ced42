package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"aidtrail/commands"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) commands.EventStore { return newStore(t) },
		Begin: func(ctx context.Context, t *testing.T, s commands.EventStore) storetest.Tx {
			return beginHeld(ctx, t, s.(*Store))
		},
	})
}

// heldTx is a transaction a test holds open, appending through the store's
// own statement, so that appends can commit out of position order.
type heldTx struct {
	ctx context.Context
	s   *Store
	tx  pgx.Tx
}

// beginHeld begins a transaction and takes its transaction id at once, so
// that transactions begun later have higher ids.
func beginHeld(ctx context.Context, t *testing.T, s *Store) *heldTx {
	t.Helper()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// An open transaction would keep Close waiting; end it first.
	t.Cleanup(func() { _ = tx.Rollback(context.WithoutCancel(ctx)) })
	if _, err := tx.Exec(ctx, "SELECT pg_current_xact_id()"); err != nil {
		t.Fatal(err)
	}
	return &heldTx{ctx: ctx, s: s, tx: tx}
}

func (h *heldTx) Append(stream string, events ...event.Event) error {
	_, err := h.s.appendWith(h.ctx, h.tx, stream, event.Any, events)
	return err
}

func (h *heldTx) Commit() error {
	if err := h.tx.Commit(h.ctx); err != nil {
		return err
	}
	// Wake this process's subscribers, but send no NOTIFY: the notice is a
	// transaction of its own, and its completing would move every later
	// snapshot's xmax past the transactions a test holds open, hiding the
	// order of ids the test builds (other processes' notices are not
	// ordered with our appends either).
	h.s.wake.Broadcast()
	return nil
}
