package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections/readmodel"
)

// maxDepth is the depth of the lowest level: a team has at most three
// ancestors (org: levels go strictly down the tree).
const maxDepth = 3

// applyUnit keeps rm_stats_units: a unit's number, name and flattened
// ancestry.
func applyUnit(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	id, err := org.ParseUnitStream(e.Stream)
	if err != nil {
		return fmt.Errorf("stats: %s at position %d: %w", e.Type, e.Position, err)
	}
	switch e.Type {
	case org.TypeUnitEstablished:
		var p org.UnitEstablished
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		var no int64
		err := tx.QueryRow(ctx, `SELECT unit_no FROM {rm_stats_units} WHERE unit_id = $1`, id.String()).Scan(&no)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			no = e.Position
			if _, err := tx.Exec(ctx, `INSERT INTO {rm_stats_units} (unit_no, unit_id, name, depth, u0, u1, u2, u3)
				VALUES ($1, $2, '', 0, $1, 0, 0, 0)`, no, id.String()); err != nil {
				return wrap(e, err)
			}
		case err != nil:
			return wrap(e, err)
		}
		levels, err := ancestry(ctx, tx, e, p.Path, no)
		if err != nil {
			return err
		}
		if err := updateUnit(ctx, tx, e, id, "name = $2", p.Name); err != nil {
			return err
		}
		return place(ctx, tx, e, id, no, len(p.Path), levels)
	case org.TypeUnitRenamed:
		var p org.UnitRenamed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return updateUnit(ctx, tx, e, id, "name = $2", p.Name)
	case org.TypeUnitMoved, org.TypeUnitPathChanged:
		var p org.UnitPathChanged // unit.moved has the new path too
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		var no int64
		if err := tx.QueryRow(ctx, `SELECT unit_no FROM {rm_stats_units} WHERE unit_id = $1`, id.String()).Scan(&no); err != nil {
			return fmt.Errorf("stats: %s at position %d: unit %s not established: %w", e.Type, e.Position, id, err)
		}
		levels, err := ancestry(ctx, tx, e, p.Path, no)
		if err != nil {
			return err
		}
		return place(ctx, tx, e, id, no, len(p.Path), levels)
	default:
		return nil // children, employees and closing change no figure
	}
}

// ancestry returns u0 ... u3 of a unit numbered self whose ancestors, from
// the root, are path.
func ancestry(ctx context.Context, tx *readmodel.Tx, e event.Recorded, path []uuid.UUID, self int64) ([maxDepth + 1]int64, error) {
	var levels [maxDepth + 1]int64
	if len(path) > maxDepth {
		return levels, fmt.Errorf("stats: %s at position %d: path of %d ancestors is deeper than %d", e.Type, e.Position, len(path), maxDepth)
	}
	for d, a := range path {
		if err := tx.QueryRow(ctx, `SELECT unit_no FROM {rm_stats_units} WHERE unit_id = $1`, a.String()).Scan(&levels[d]); err != nil {
			return levels, fmt.Errorf("stats: %s at position %d: ancestor %s: %w", e.Type, e.Position, a, err)
		}
	}
	levels[len(path)] = self
	return levels, nil
}

// placed is a unit's number and flattened ancestry.
type placed struct {
	no     int64
	levels [maxDepth + 1]int64
}

// unitNumber returns the number and ancestry of unit id, for a case opened
// there. A unit never established (a history written by a tool, not the
// service) is numbered here by the case's position and stands as a root
// of its own, unnamed, until its establishment places it.
func unitNumber(ctx context.Context, tx *readmodel.Tx, e event.Recorded, id uuid.UUID) (placed, error) {
	var u placed
	err := tx.QueryRow(ctx, `SELECT unit_no, u0, u1, u2, u3 FROM {rm_stats_units} WHERE unit_id = $1`, id.String()).
		Scan(&u.no, &u.levels[0], &u.levels[1], &u.levels[2], &u.levels[3])
	switch {
	case errors.Is(err, sql.ErrNoRows):
		u = placed{no: e.Position, levels: [maxDepth + 1]int64{e.Position}}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_stats_units} (unit_no, unit_id, name, depth, u0, u1, u2, u3)
			VALUES ($1, $2, '', 0, $1, 0, 0, 0)`, u.no, id.String())
		return u, wrap(e, err)
	case err != nil:
		return u, wrap(e, err)
	}
	return u, nil
}

// place sets the ancestry of unit no, at depth, in its row and in the rows
// of the cases filed there.
func place(ctx context.Context, tx *readmodel.Tx, e event.Recorded, id uuid.UUID, no int64, depth int, levels [maxDepth + 1]int64) error {
	if err := updateUnit(ctx, tx, e, id, "depth = $2, u0 = $3, u1 = $4, u2 = $5, u3 = $6",
		depth, levels[0], levels[1], levels[2], levels[3]); err != nil {
		return err
	}
	for _, table := range []string{"{rm_stats_cases}", "{rm_stats_case_causes}"} {
		if _, err := tx.Exec(ctx, "UPDATE "+table+" SET u0 = $2, u1 = $3, u2 = $4, u3 = $5 WHERE unit_no = $1",
			no, levels[0], levels[1], levels[2], levels[3]); err != nil {
			return wrap(e, err)
		}
	}
	return nil
}

func updateUnit(ctx context.Context, tx *readmodel.Tx, e event.Recorded, id uuid.UUID, set string, args ...any) error {
	res, err := tx.Exec(ctx, "UPDATE {rm_stats_units} SET "+set+" WHERE unit_id = $1", append([]any{id.String()}, args...)...)
	if err != nil {
		return wrap(e, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("stats: %s at position %d: unit %s not established (%d rows, %v)", e.Type, e.Position, id, n, err)
	}
	return nil
}
