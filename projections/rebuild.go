package projections

import (
	"context"
	"fmt"
	"time"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

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
// copied in bulk (see stageAll); what arrives meanwhile is applied
// after.
func Rebuild(ctx context.Context, db *sqldb.DB, src Source, p Projection, progress RebuildProgress) (int64, error) {
	gens, err := RebuildAll(ctx, db, src, []Projection{p}, progress)
	if err != nil {
		return 0, err
	}
	return gens[0], nil
}

// RebuildAll rebuilds every projection of ps as Rebuild does each, but
// reads the log once for them all: each batch read is applied to every
// new generation (staged ones in parallel) before the next is read. It
// returns the new generations in the order of ps. Each projection
// switches on its own once it has caught up, so a failure leaves those
// switched before it on their new generations and the rest on their old.
func RebuildAll(ctx context.Context, db *sqldb.DB, src Source, ps []Projection, progress RebuildProgress) ([]int64, error) {
	rs := make([]*rebuilding, len(ps))
	for i, p := range ps {
		r, err := beginRebuild(ctx, db, p)
		if err != nil {
			return nil, fmt.Errorf("projections: rebuild %s: %w", p.Name(), err)
		}
		rs[i] = r
	}
	var err error
	if db.CanStage() {
		err = stageAll(ctx, db, src, rs, progress)
	} else {
		err = applyAll(ctx, db, src, rs, progress)
	}
	if err != nil {
		return nil, fmt.Errorf("projections: rebuild: %w", err)
	}
	gens := make([]int64, len(rs))
	for i, r := range rs {
		if err := r.finish(ctx, db, src, progress); err != nil {
			return nil, fmt.Errorf("projections: rebuild %s: %w", r.p.Name(), err)
		}
		gens[i] = r.gen
	}
	return gens, nil
}

// rebuilding is one projection's rebuild under way: its new generation
// gen beside the live old, filled up to after with total events.
type rebuilding struct {
	p        Projection
	old, gen int64
	after    int64
	total    int
}

// beginRebuild creates the new generation of p, empty, beside the live
// one (created first if p has none yet).
func beginRebuild(ctx context.Context, db *sqldb.DB, p Projection) (*rebuilding, error) {
	if err := Prepare(ctx, db, p); err != nil {
		return nil, err
	}
	r := &rebuilding{p: p}
	if err := db.QueryRow(ctx, "SELECT live FROM projection_generations WHERE name = $1", p.Name()).Scan(&r.old); err != nil {
		return nil, err
	}
	r.gen = r.old + 1
	if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return createGeneration(ctx, tx, p, r.gen) }); err != nil {
		return nil, err
	}
	return r, nil
}

// applyAll fills every new generation of rs in db itself, reading each
// batch once and applying it to each in turn, each in its own
// transaction.
func applyAll(ctx context.Context, db *sqldb.DB, src Source, rs []*rebuilding, progress RebuildProgress) error {
	return readOnce(ctx, src, progress, func(batch []event.Recorded, prev int64) error {
		for _, r := range rs {
			if err := applyTo(ctx, db, nil, r.p, r.gen, batch, prev); err != nil {
				return fmt.Errorf("%s: %w", r.p.Name(), err)
			}
			r.advance(batch)
		}
		return nil
	})
}

// readOnce reads the whole log from position 0 a batch at a time and
// hands each batch, with the position before it, to apply.
func readOnce(ctx context.Context, src Source, progress RebuildProgress, apply func(batch []event.Recorded, prev int64) error) error {
	after, total := int64(0), 0
	for {
		batch, err := src.ReadAll(ctx, after, readBatch)
		if err != nil {
			return fmt.Errorf("read after %d: %w", after, err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := apply(batch, after); err != nil {
			return err
		}
		after = batch[len(batch)-1].Position
		total += len(batch)
		if progress != nil {
			progress(after, total)
		}
	}
}

func (r *rebuilding) advance(batch []event.Recorded) {
	r.after = batch[len(batch)-1].Position
	r.total += len(batch)
}

// fill applies what the store holds after r.after to the new generation,
// up to target (all of it when target < 0), inside tx when one is given.
func (r *rebuilding) fill(ctx context.Context, db *sqldb.DB, src Source, tx *sqldb.Tx, target int64, progress RebuildProgress) error {
	for target < 0 || r.after < target {
		batch, err := src.ReadAll(ctx, r.after, readBatch)
		if err != nil {
			return fmt.Errorf("read after %d: %w", r.after, err)
		}
		if len(batch) == 0 {
			return nil
		}
		if err := applyTo(ctx, db, tx, r.p, r.gen, batch, r.after); err != nil {
			return err
		}
		r.advance(batch)
		if progress != nil {
			progress(r.after, r.total)
		}
	}
	return nil
}

// finish catches the new generation up with the store, then in one
// transaction brings it level with the live generation's checkpoint and
// switches to it, and drops the old generation.
func (r *rebuilding) finish(ctx context.Context, db *sqldb.DB, src Source, progress RebuildProgress) error {
	if err := r.fill(ctx, db, src, nil, -1, progress); err != nil {
		return err
	}
	name := r.p.Name()
	err := db.InTx(ctx, func(tx *sqldb.Tx) error {
		live, err := liveGeneration(ctx, tx, name, true)
		if err != nil {
			return err
		}
		if live != r.old {
			return fmt.Errorf("another rebuild switched %s to generation %d meanwhile", name, live)
		}
		liveAt, err := checkpointIn(ctx, tx, checkpointKey(name, r.old))
		if err != nil {
			return err
		}
		if err := r.fill(ctx, db, src, tx, liveAt, progress); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE projection_generations SET live = $2, updated_ms = $3 WHERE name = $1",
			name, r.gen, time.Now().UnixMilli()); err != nil {
			return err
		}
		return showGeneration(ctx, tx, r.p, r.gen)
	})
	if err != nil {
		return fmt.Errorf("switch: %w", err)
	}
	if err := db.InTx(ctx, func(tx *sqldb.Tx) error { return dropGeneration(ctx, tx, r.p, r.old) }); err != nil {
		return fmt.Errorf("drop generation %d: %w", r.old, err)
	}
	return nil
}
