package projections

import (
	"context"
	"fmt"
	"time"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Prepare makes sure p has a live generation: on first use it creates
// generation 1's tables, their views and its checkpoint, in one
// transaction. Processes starting at once agree on one generation.
func Prepare(ctx context.Context, db *sqldb.DB, p Projection) error {
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO projection_generations (name, live, updated_ms)
			VALUES ($1, 1, $2) ON CONFLICT (name) DO NOTHING`, p.Name(), time.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if err := createGeneration(ctx, tx, p, 1); err != nil {
			return err
		}
		return showGeneration(ctx, tx, p, 1)
	})
	if err != nil {
		return fmt.Errorf("projections: prepare %s: %w", p.Name(), err)
	}
	return nil
}

// createGeneration creates generation gen's tables afresh (dropping what a
// rebuild that did not finish left) and its checkpoint at 0.
func createGeneration(ctx context.Context, tx *sqldb.Tx, p Projection, gen int64) error {
	if err := dropGeneration(ctx, tx, p, gen); err != nil {
		return err
	}
	w := bind(tx, p, gen)
	for _, t := range p.Tables() {
		for _, stmt := range t.Create {
			if _, err := w.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("create %s: %w", physical(t.Name, gen), err)
			}
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO projection_checkpoints (name, position, updated_ms) VALUES ($1, 0, $2)`,
		checkpointKey(p.Name(), gen), time.Now().UnixMilli())
	return err
}

// dropGeneration drops generation gen's tables, its checkpoint and its
// event counts.
func dropGeneration(ctx context.Context, tx *sqldb.Tx, p Projection, gen int64) error {
	for _, t := range p.Tables() {
		if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+physical(t.Name, gen)); err != nil {
			return fmt.Errorf("drop %s: %w", physical(t.Name, gen), err)
		}
	}
	key := checkpointKey(p.Name(), gen)
	if _, err := tx.Exec(ctx, "DELETE FROM projection_event_counts WHERE checkpoint = $1", key); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM projection_checkpoints WHERE name = $1", key)
	return err
}

// showGeneration points the views of p's tables at generation gen.
func showGeneration(ctx context.Context, tx *sqldb.Tx, p Projection, gen int64) error {
	for _, t := range p.Tables() {
		if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+t.Name); err != nil {
			return fmt.Errorf("view %s: %w", t.Name, err)
		}
		if _, err := tx.Exec(ctx, "CREATE VIEW "+t.Name+" AS SELECT * FROM "+physical(t.Name, gen)); err != nil {
			return fmt.Errorf("view %s: %w", t.Name, err)
		}
	}
	return nil
}

// RebuildProgress reports a rebuild's progress: the position reached in
// the new generation and how many events it has applied.
type RebuildProgress func(position int64, events int)

// Rebuild builds p's read model afresh from position 0 in a new
// generation beside the live one, which goes on serving reads and taking
// events meanwhile. Once the new generation has caught up with the store,
// one transaction brings it level with the live generation's checkpoint
// and switches the views and the live generation to it; the old
// generation's tables are then dropped. It returns the new generation.
//
// Where db can stage (PostgreSQL with a scratch database, see
// sqldb.DB.CanStage) the new generation is first built in memory and
// copied in bulk (see stageInMemory); what arrives meanwhile is applied
// after.
func Rebuild(ctx context.Context, db *sqldb.DB, src Source, p Projection, progress RebuildProgress) (int64, error) {
	if err := Prepare(ctx, db, p); err != nil {
		return 0, err
	}
	var old int64
	if err := db.QueryRow(ctx, "SELECT live FROM projection_generations WHERE name = $1", p.Name()).Scan(&old); err != nil {
		return 0, fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
	}
	gen := old + 1
	if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return createGeneration(ctx, tx, p, gen) }); err != nil {
		return 0, fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
	}
	after, total := int64(0), 0
	fill := func(tx *sqldb.Tx, target int64) error {
		for target < 0 || after < target {
			batch, err := src.ReadAll(ctx, after, readBatch)
			if err != nil {
				return fmt.Errorf("read after %d: %w", after, err)
			}
			if len(batch) == 0 {
				return nil
			}
			if err := applyTo(ctx, db, tx, p, gen, batch, after); err != nil {
				return err
			}
			after = batch[len(batch)-1].Position
			total += len(batch)
			if progress != nil {
				progress(after, total)
			}
		}
		return nil
	}
	if db.CanStage() {
		var err error
		if after, total, err = stageInMemory(ctx, db, src, p, gen, progress); err != nil {
			return 0, fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
		}
	}
	if err := fill(nil, -1); err != nil {
		return 0, fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
	}
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		live, err := liveGeneration(ctx, tx, p.Name(), true)
		if err != nil {
			return err
		}
		if live != old {
			return fmt.Errorf("another rebuild switched %s to generation %d meanwhile", p.Name(), live)
		}
		liveAt, err := checkpointIn(ctx, tx, checkpointKey(p.Name(), old))
		if err != nil {
			return err
		}
		if err := fill(tx, liveAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE projection_generations SET live = $2, updated_ms = $3 WHERE name = $1",
			p.Name(), gen, time.Now().UnixMilli()); err != nil {
			return err
		}
		return showGeneration(ctx, tx, p, gen)
	})
	if err != nil {
		return 0, fmt.Errorf("projections: rebuild %s: switch: %w", p.Name(), err)
	}
	if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return dropGeneration(ctx, tx, p, old) }); err != nil {
		return gen, fmt.Errorf("projections: rebuild %s: drop generation %d: %w", p.Name(), old, err)
	}
	return gen, nil
}

// applyTo applies a batch to generation gen of p: inside tx when one is
// given, else in a transaction of its own.
func applyTo(ctx context.Context, db *sqldb.DB, tx *sqldb.Tx, p Projection, gen int64, batch []event.Recorded, prev int64) error {
	if tx != nil {
		_, err := applyIn(ctx, tx, p, gen, batch, prev)
		return err
	}
	return db.InTx(ctx, func(tx *sqldb.Tx) error {
		_, err := applyIn(ctx, tx, p, gen, batch, prev)
		return err
	})
}

func checkpointIn(ctx context.Context, tx *sqldb.Tx, key string) (int64, error) {
	var pos int64
	if err := tx.QueryRow(ctx, "SELECT position FROM projection_checkpoints WHERE name = $1", key).Scan(&pos); err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", key, err)
	}
	return pos, nil
}
