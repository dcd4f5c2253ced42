package seal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// The leaves sealed so far are kept as runs (table seal_runs): leaves
// leaf, leaf+1, … are the events at position, position+1, …. Positions
// are consecutive but for the holes rolled-back appends leave, so a batch
// of a thousand events is one row or a few.

// run is one row of seal_runs.
type run struct {
	leaf, position, leaves int64
}

// runsOf splits recs, sealed as leaves from first on, into runs of
// consecutive positions.
func runsOf(first int64, recs []event.Recorded) []run {
	var out []run
	for i, r := range recs {
		if i > 0 && r.Position == recs[i-1].Position+1 {
			out[len(out)-1].leaves++
			continue
		}
		out = append(out, run{leaf: first + int64(i), position: r.Position, leaves: 1})
	}
	return out
}

// insertRuns adds runs to seal_runs. A run starting at a leaf already
// sealed conflicts, so two sealers never both seal the same leaves.
func insertRuns(ctx context.Context, tx *sqldb.Tx, runs []run) error {
	values := make([][]any, len(runs))
	for i, r := range runs {
		values[i] = []any{r.leaf, r.position, r.leaves}
	}
	return insertRows(ctx, tx, "seal_runs (leaf, position, leaves)", "", values)
}

// sealedSize returns how many leaves are sealed and the position of the
// last (0 when none).
func sealedSize(ctx context.Context, db *sqldb.DB) (int64, int64, error) {
	var size, last int64
	err := db.QueryRow(ctx, "SELECT leaf + leaves, position + leaves - 1 FROM seal_runs ORDER BY leaf DESC LIMIT 1").Scan(&size, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("seal: read the sealed size: %w", err)
	}
	return size, last, nil
}

// sealedPositions returns the positions sealed as leaves from, from+1, …
// (at most count; fewer when fewer are sealed). A leaf missing inside
// the range is an error: runs are only ever added, in order.
func sealedPositions(ctx context.Context, db *sqldb.DB, from, count int64) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT leaf, position, leaves FROM seal_runs
		WHERE leaf >= coalesce((SELECT max(leaf) FROM seal_runs WHERE leaf <= $1), 0) AND leaf < $2 ORDER BY leaf`, from, from+count)
	if err != nil {
		return nil, fmt.Errorf("seal: read the sealed leaves: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.leaf, &r.position, &r.leaves); err != nil {
			return nil, err
		}
		next := from + int64(len(out))
		if r.leaf+r.leaves <= next {
			continue // a run wholly before from
		}
		if r.leaf > next {
			return nil, fmt.Errorf("seal: leaf %d is missing from the sealed leaves", next)
		}
		for n := next; n < min(r.leaf+r.leaves, from+count); n++ {
			out = append(out, r.position+n-r.leaf)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// leafPosition returns the position sealed as leaf n (0 when there is
// none).
func leafPosition(ctx context.Context, db *sqldb.DB, n int64) (int64, error) {
	positions, err := sealedPositions(ctx, db, n, 1)
	if err != nil || len(positions) == 0 {
		return 0, err
	}
	return positions[0], nil
}

// leavesThrough returns how many leaves are sealed at positions up to
// position.
func leavesThrough(ctx context.Context, db *sqldb.DB, position int64) (int64, error) {
	var r run
	err := db.QueryRow(ctx, "SELECT leaf, position, leaves FROM seal_runs WHERE position <= $1 ORDER BY position DESC LIMIT 1", position).
		Scan(&r.leaf, &r.position, &r.leaves)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("seal: leaves up to position %d: %w", position, err)
	}
	return r.leaf + min(r.leaves, position-r.position+1), nil
}
