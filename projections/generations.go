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
