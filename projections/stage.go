package projections

import (
	"context"
	"fmt"
	"time"

	"aidtrail/internal/sqldb"
)

// stageInMemory fills generation gen of p in db (created and empty) with
// everything the store holds now, building it first in an in-memory
// SQLite database with the projection's own code and then copying each
// table in bulk: on a server, one statement per event would cost a round
// trip each. It leaves db's checkpoint of gen at the last position staged
// and returns it with the number of events applied.
//
// The generation is not live, so the copy needs no transaction of its
// own: a rebuild that fails half-way is started afresh by the next.
func stageInMemory(ctx context.Context, db *sqldb.DB, src Source, p Projection, gen int64, progress RebuildProgress) (int64, int, error) {
	mem, err := db.OpenScratch()
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = mem.Close() }()
	if _, err := mem.Exec(ctx, `CREATE TABLE projection_checkpoints (
		name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_ms INTEGER NOT NULL)`); err != nil {
		return 0, 0, err
	}
	if _, err := mem.Exec(ctx, `CREATE TABLE projection_event_counts (
		checkpoint TEXT NOT NULL, type TEXT NOT NULL, events INTEGER NOT NULL, PRIMARY KEY (checkpoint, type))`); err != nil {
		return 0, 0, err
	}
	if err := mem.InTx(ctx, func(tx *sqldb.Tx) error { return createGeneration(ctx, tx, p, gen) }); err != nil {
		return 0, 0, err
	}
	after, total := int64(0), 0
	for {
		batch, err := src.ReadAll(ctx, after, readBatch)
		if err != nil {
			return 0, 0, fmt.Errorf("read after %d: %w", after, err)
		}
		if len(batch) == 0 {
			break
		}
		if err := applyTo(ctx, mem, nil, p, gen, batch, after); err != nil {
			return 0, 0, err
		}
		after = batch[len(batch)-1].Position
		total += len(batch)
		if progress != nil {
			progress(after, total)
		}
	}
	// The memory database holds the counts of this generation only.
	if err := copyTable(ctx, mem, db, "projection_event_counts"); err != nil {
		return 0, 0, err
	}
	for _, t := range p.Tables() {
		if err := copyTable(ctx, mem, db, physical(t.Name, gen)); err != nil {
			return 0, 0, err
		}
		// A table filled by COPY has no statistics until autovacuum comes
		// by; until then the planner guesses, and guesses badly for the
		// per-event statements that follow and for the reads after the
		// switch.
		if _, err := db.Exec(ctx, "ANALYZE "+physical(t.Name, gen)); err != nil {
			return 0, 0, err
		}
	}
	if _, err := db.Exec(ctx, `UPDATE projection_checkpoints SET position = $2, updated_ms = $3 WHERE name = $1`,
		checkpointKey(p.Name(), gen), after, time.Now().UnixMilli()); err != nil {
		return 0, 0, err
	}
	return after, total, nil
}

// copyTable copies every row of table from one database to the same table
// in another, PostgreSQL, database.
func copyTable(ctx context.Context, from, to *sqldb.DB, table string) error {
	rows, err := from.Query(ctx, "SELECT * FROM "+table)
	if err != nil {
		return fmt.Errorf("stage %s: %w", table, err)
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return err
	}
	var all [][]any
	for rows.Next() {
		values := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("stage %s: %w", table, err)
		}
		all = append(all, values)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("stage %s: %w", table, err)
	}
	if len(all) == 0 {
		return nil
	}
	_, err = to.CopyFrom(ctx, table, columns, all)
	return err
}
