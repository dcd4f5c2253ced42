package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Projection keeps read-model tables up to date from the event log.
//
// Name is stable: it keys the projection's checkpoint and its router
// handler, so renaming it rebuilds the read model from position 0. Tables
// lists the tables it owns and alone writes. Apply changes those tables for
// one event inside tx; it is called once per event in global order, never
// for an event it has already applied, and an error leaves the event
// unapplied (the transaction is rolled back and the event is delivered
// again). Apply must ignore, without error, events it has no use for.
type Projection interface {
	Name() string
	Tables() []string
	Apply(ctx context.Context, tx *sqldb.Tx, e event.Recorded) error
}

// Source is the part of the event store projections read: the global order
// (see commands.EventStore).
type Source interface {
	Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)
}

// Checkpoint returns the global position of the last event projection name
// has applied; 0 if it has applied none.
func Checkpoint(ctx context.Context, db *sqldb.DB, name string) (int64, error) {
	var pos int64
	err := db.QueryRow(ctx, "SELECT position FROM projection_checkpoints WHERE name = $1", name).Scan(&pos)
	switch {
	case err == nil:
		return pos, nil
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	default:
		return 0, fmt.Errorf("projections: checkpoint of %s: %w", name, err)
	}
}

// ensureCheckpoint creates projection name's checkpoint at 0 if it has none.
func ensureCheckpoint(ctx context.Context, db *sqldb.DB, name string) error {
	_, err := db.Exec(ctx, `INSERT INTO projection_checkpoints (name, position, updated_ms)
		VALUES ($1, 0, $2) ON CONFLICT (name) DO NOTHING`, name, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("projections: checkpoint of %s: %w", name, err)
	}
	return nil
}

// applyOne applies e to p exactly once in effect: in one transaction it
// moves p's checkpoint forward to e.Position and applies e, or, when the
// checkpoint is at e.Position or beyond (a redelivery), does nothing. It
// reports whether e was applied now.
//
// The checkpoint moves first, by a conditional update, so that the row is
// locked for the rest of the transaction: two deliveries of the same event
// at once cannot both apply it, on either engine.
func applyOne(ctx context.Context, db *sqldb.DB, p Projection, e event.Recorded) (applied bool, err error) {
	if err := ensureCheckpoint(ctx, db, p.Name()); err != nil {
		return false, err
	}
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET position = $2, updated_ms = $3
			WHERE name = $1 AND position < $2`, p.Name(), e.Position, time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if n == 0 {
			return nil // applied before
		}
		if err := safeApply(ctx, tx, p, e); err != nil {
			return err
		}
		applied = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("projections: %s at position %d (%s): %w", p.Name(), e.Position, e.Type, err)
	}
	return applied, nil
}

// safeApply turns a panic in p.Apply into an error, so that the
// transaction is rolled back rather than left open holding its locks.
func safeApply(ctx context.Context, tx *sqldb.Tx, p Projection, e event.Recorded) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.Apply(ctx, tx, e)
}

// CatchUp applies to p, one at a time in global order, every event after
// p's checkpoint that the store can deliver now, and returns the new
// checkpoint. It stops at the first event p cannot apply, leaving the
// checkpoint just before it. It serves rebuilds and checks; live
// projections run under a Runner.
func CatchUp(ctx context.Context, db *sqldb.DB, src Source, p Projection) (int64, error) {
	after, err := Checkpoint(ctx, db, p.Name())
	if err != nil {
		return 0, err
	}
	for {
		batch, err := src.ReadAll(ctx, after, 500)
		if err != nil {
			return after, fmt.Errorf("projections: read after %d: %w", after, err)
		}
		if len(batch) == 0 {
			return after, nil
		}
		for _, e := range batch {
			if _, err := applyOne(ctx, db, p, e); err != nil {
				return after, err
			}
			after = e.Position
		}
	}
}
