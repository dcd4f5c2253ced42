package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// checkpointKey names the checkpoint of generation gen of projection name
// in projection_checkpoints.
func checkpointKey(name string, gen int64) string { return fmt.Sprintf("%s#%d", name, gen) }

// Checkpoint returns the global position of the last event the live
// generation of projection name has applied; 0 if it has applied none or
// does not exist yet.
func Checkpoint(ctx context.Context, db *sqldb.DB, name string) (int64, error) {
	var pos int64
	err := db.QueryRow(ctx, `SELECT c.position FROM projection_generations g
		JOIN projection_checkpoints c ON c.name = g.name || '#' || CAST(g.live AS TEXT)
		WHERE g.name = $1`, name).Scan(&pos)
	switch {
	case err == nil:
		return pos, nil
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	default:
		return 0, fmt.Errorf("projections: checkpoint of %s: %w", name, err)
	}
}

// Reached returns the lowest checkpoint among the live generations of
// names: every one of them has applied every event up to it. A name with
// no live generation yet counts as 0.
func Reached(ctx context.Context, db *sqldb.DB, names []string) (int64, error) {
	at, err := Checkpoints(ctx, db)
	if err != nil {
		return 0, err
	}
	low := int64(-1)
	for _, n := range names {
		if pos := at[n]; low < 0 || pos < low {
			low = pos
		}
	}
	return max(low, 0), nil
}

// Checkpoints returns the checkpoint of every projection's live
// generation, by name, read in one statement: readers with ?min_position
// ask it often.
func Checkpoints(ctx context.Context, db *sqldb.DB) (map[string]int64, error) {
	rows, err := db.Query(ctx, `SELECT g.name, c.position FROM projection_generations g
		JOIN projection_checkpoints c ON c.name = g.name || '#' || CAST(g.live AS TEXT)`)
	if err != nil {
		return nil, fmt.Errorf("projections: checkpoints: %w", err)
	}
	defer rows.Close()
	at := map[string]int64{}
	for rows.Next() {
		var name string
		var pos int64
		if err := rows.Scan(&name, &pos); err != nil {
			return nil, fmt.Errorf("projections: checkpoints: %w", err)
		}
		at[name] = pos
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("projections: checkpoints: %w", err)
	}
	return at, nil
}

// gapError says a batch cannot be applied yet: the projection has not
// applied every event before it. The events after Checkpoint up to and
// including Before must be read from the store first.
type gapError struct{ Checkpoint, Before int64 }

func (g *gapError) Error() string {
	return fmt.Sprintf("projection at %d, batch follows %d", g.Checkpoint, g.Before)
}

// liveGeneration reads projection name's live generation inside tx, locked
// against a switch (shared) or for one (exclusive).
func liveGeneration(ctx context.Context, tx *sqldb.Tx, name string, exclusive bool) (int64, error) {
	var gen int64
	err := tx.QueryRow(ctx, "SELECT live FROM projection_generations WHERE name = $1"+tx.Engine().LockClause(exclusive), name).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("projection %s is not prepared", name)
	}
	return gen, err
}

// applyBatch applies events (in ascending position) to the live generation
// of p, each exactly once in effect: in one transaction it locks p's
// checkpoint, applies the events after it and moves it to the last. prev
// is the position of the event before events[0] in the global order (0 if
// none): when p's checkpoint is below it, p missed events, nothing is
// applied and the error is a *gapError.
func applyBatch(ctx context.Context, db *sqldb.DB, p Projection, events []event.Recorded, prev int64) (applied int, err error) {
	if !slices.ContainsFunc(events, func(e event.Recorded) bool { return concerns(p, e) }) {
		moved, err := skipBatch(ctx, db, p, events[len(events)-1].Position, prev)
		if err != nil || moved {
			return 0, err
		}
		// Not moved: applied before, or p missed events before this
		// batch; the transaction below tells which.
	}
	err = db.InTx(ctx, func(tx *sqldb.Tx) error {
		gen, err := liveGeneration(ctx, tx, p.Name(), false)
		if err != nil {
			return err
		}
		applied, err = applyIn(ctx, tx, p, gen, events, prev)
		return err
	})
	if err != nil {
		return 0, err
	}
	return applied, nil
}

// skipBatch moves the live checkpoint of p from prev (or beyond) to last
// with one statement, for a batch p has no use for, and reports whether
// it did. A checkpoint already at last or beyond, or below prev, is left
// alone. Racing a rebuild's switch it may move the old generation's
// checkpoint instead: the new one then finds a gap and reads the store.
func skipBatch(ctx context.Context, db *sqldb.DB, p Projection, last, prev int64) (bool, error) {
	res, err := db.Exec(ctx, `UPDATE projection_checkpoints SET position = $2, updated_ms = $4
		WHERE name = (SELECT name || '#' || CAST(live AS TEXT) FROM projection_generations WHERE name = $1)
		AND position >= $3 AND position < $2`, p.Name(), last, prev, time.Now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("checkpoint of %s: %w", p.Name(), err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// applyIn is applyBatch inside tx, for generation gen.
func applyIn(ctx context.Context, tx *sqldb.Tx, p Projection, gen int64, events []event.Recorded, prev int64) (int, error) {
	key := checkpointKey(p.Name(), gen)
	var cp int64
	// A no-op update locks the checkpoint row on PostgreSQL, so that two
	// deliveries of one batch at once cannot both apply it.
	err := tx.QueryRow(ctx, `UPDATE projection_checkpoints SET position = position WHERE name = $1 RETURNING position`, key).Scan(&cp)
	if err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	if cp < prev {
		return 0, &gapError{Checkpoint: cp, Before: prev}
	}
	w := bind(tx, p, gen)
	applied, last := 0, cp
	counted := map[string]int64{}
	for _, e := range events {
		if e.Position <= last {
			continue // applied before
		}
		if err := safeApply(ctx, w, p, e); err != nil {
			return 0, fmt.Errorf("%s at position %d (%s): %w", p.Name(), e.Position, e.Type, err)
		}
		if concerns(p, e) {
			counted[e.Type]++
		}
		applied++
		last = e.Position
	}
	if last == cp {
		return 0, nil
	}
	if err := w.End(ctx); err != nil {
		return 0, fmt.Errorf("%s at the end of the batch to %d: %w", p.Name(), last, err)
	}
	if err := addCounts(ctx, tx, key, counted); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE projection_checkpoints SET position = $2, updated_ms = $3 WHERE name = $1`,
		key, last, time.Now().UnixMilli()); err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	return applied, nil
}

// readBatch is how many events one read-model transaction applies at most
// when catching up from the store.
const readBatch = 1000

// CatchUp applies to the live generation of p, in batches in global
// order, every event after its checkpoint that the store can deliver now,
// and returns the new checkpoint. It stops at the first batch p cannot
// apply, leaving the checkpoint before it. It serves gap filling, checks
// and tests; live projections run under a Runner.
func CatchUp(ctx context.Context, db *sqldb.DB, src Source, p Projection) (int64, error) {
	if err := Prepare(ctx, db, p); err != nil {
		return 0, err
	}
	return catchUpTo(ctx, db, src, p, -1)
}

// catchUpTo is CatchUp that stops once the checkpoint reaches target
// (never, when target is negative).
func catchUpTo(ctx context.Context, db *sqldb.DB, src Source, p Projection, target int64) (int64, error) {
	after, err := Checkpoint(ctx, db, p.Name())
	if err != nil {
		return 0, err
	}
	for target < 0 || after < target {
		batch, err := src.ReadAll(ctx, after, readBatch)
		if err != nil {
			return after, fmt.Errorf("projections: read after %d: %w", after, err)
		}
		if len(batch) == 0 {
			break
		}
		if _, err := applyBatch(ctx, db, p, batch, after); err != nil {
			var gap *gapError
			if errors.As(err, &gap) && gap.Checkpoint > after {
				after = gap.Checkpoint // moved on meanwhile (a live runner)
				continue
			}
			return after, fmt.Errorf("projections: %w", err)
		}
		after = batch[len(batch)-1].Position
	}
	return after, nil
}
