package projections

import (
	"context"
	"fmt"
	"sync"
	"time"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// stageAll fills the new generations of rs in db (created and empty)
// with everything the store holds now, building each first in an
// in-memory SQLite database of its own with the projection's own code
// and then copying its tables in bulk: on a server, one statement per
// event would cost a round trip each. The log is read once; each batch
// goes to every projection, which apply it in parallel, while the next
// is read. It leaves each new generation's checkpoint at the last
// position staged.
//
// The generations are not live, so the copy needs no transaction of its
// own: a rebuild that fails half-way is started afresh by the next.
func stageAll(ctx context.Context, db *sqldb.DB, src Source, rs []*rebuilding, progress RebuildProgress) error {
	stages := make([]*sqldb.DB, 0, len(rs))
	defer func() {
		for _, mem := range stages {
			_ = mem.Close()
		}
	}()
	for _, r := range rs {
		mem, err := openStage(ctx, db, r.p, r.gen)
		if err != nil {
			return fmt.Errorf("%s: %w", r.p.Name(), err)
		}
		stages = append(stages, mem)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type staged struct {
		batch []event.Recorded
		prev  int64
	}
	feeds := make([]chan staged, len(rs))
	var wg sync.WaitGroup
	for i, r := range rs {
		feeds[i] = make(chan staged, 2)
		wg.Go(func() {
			for s := range feeds[i] {
				if ctx.Err() != nil {
					continue // drained after a failure
				}
				if err := applyTo(ctx, stages[i], nil, r.p, r.gen, s.batch, s.prev); err != nil {
					cancel(fmt.Errorf("%s: %w", r.p.Name(), err))
					continue
				}
				r.advance(s.batch)
			}
		})
	}
	err := readOnce(ctx, src, progress, func(batch []event.Recorded, prev int64) error {
		for _, feed := range feeds {
			select {
			case feed <- staged{batch, prev}:
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		return nil
	})
	for _, feed := range feeds {
		close(feed)
	}
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	if err != nil {
		return err
	}
	for i, r := range rs {
		if err := copyStage(ctx, stages[i], db, r); err != nil {
			return fmt.Errorf("%s: %w", r.p.Name(), err)
		}
	}
	return nil
}

// openStage opens an in-memory database holding generation gen of p,
// empty, with the checkpoint and event-count tables applying needs.
func openStage(ctx context.Context, db *sqldb.DB, p Projection, gen int64) (*sqldb.DB, error) {
	mem, err := db.OpenScratch()
	if err != nil {
		return nil, err
	}
	for _, stmt := range []string{
		`CREATE TABLE projection_checkpoints (
			name TEXT PRIMARY KEY, position INTEGER NOT NULL, updated_ms INTEGER NOT NULL)`,
		`CREATE TABLE projection_event_counts (
			checkpoint TEXT NOT NULL, type TEXT NOT NULL, events INTEGER NOT NULL, PRIMARY KEY (checkpoint, type))`,
	} {
		if _, err := mem.Exec(ctx, stmt); err != nil {
			_ = mem.Close()
			return nil, err
		}
	}
	if err := mem.InTx(ctx, func(tx *sqldb.Tx) error { return createGeneration(ctx, tx, p, gen) }); err != nil {
		_ = mem.Close()
		return nil, err
	}
	return mem, nil
}

// copyStage copies what r's stage holds into db and sets the new
// generation's checkpoint to the last position staged.
func copyStage(ctx context.Context, mem, db *sqldb.DB, r *rebuilding) error {
	// The stage holds the counts of this generation only.
	if err := copyTable(ctx, mem, db, "projection_event_counts"); err != nil {
		return err
	}
	for _, t := range r.p.Tables() {
		if err := copyTable(ctx, mem, db, physical(t.Name, r.gen)); err != nil {
			return err
		}
		// A table filled by COPY has no statistics until autovacuum comes
		// by; until then the planner guesses, and guesses badly for the
		// per-event statements that follow and for the reads after the
		// switch.
		if _, err := db.Exec(ctx, "ANALYZE "+physical(t.Name, r.gen)); err != nil {
			return err
		}
	}
	_, err := db.Exec(ctx, `UPDATE projection_checkpoints SET position = $2, updated_ms = $3 WHERE name = $1`,
		checkpointKey(r.p.Name(), r.gen), r.after, time.Now().UnixMilli())
	return err
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
