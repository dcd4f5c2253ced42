package trails

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

const columns = `position, stream, type, occurred_at, recorded_at, actor_account_id, actor_name, actor_position_id,
	actor_unit_id, amount_fen, documents, leaf_hash, allocated_fen, reserved_fen, spent_fen`

// List returns a page of f.Subject's trail in global order, up to f.AsOf,
// and the cursor of the next page: 0 when this page is the last.
func List(ctx context.Context, db *sqldb.DB, f query.TrailFilter) ([]query.TrailRow, int64, error) {
	l := readmodel.NewList("position", f.After)
	l.Equal("subject", f.Subject)
	if f.AsOf.Position > 0 {
		l.Where("position <= " + l.Arg(f.AsOf.Position))
	}
	if !f.AsOf.Time.IsZero() {
		l.Where("recorded_at <= " + l.Arg(f.AsOf.Time.UTC().Format(TimeLayout)))
	}
	return readmodel.Fetch(ctx, db, l, columns, "rm_trail", "position", f.Size(), scan,
		func(r query.TrailRow) int64 { return r.Position })
}

func scan(row readmodel.Scanner) (query.TrailRow, error) {
	var r query.TrailRow
	var occurred, recorded, documents string
	var amount, allocated, reserved, spent sql.NullInt64
	if err := row.Scan(&r.Position, &r.Stream, &r.Type, &occurred, &recorded, &r.Actor.AccountID, &r.Actor.Name,
		&r.Actor.PositionID, &r.Actor.UnitID, &amount, &documents, &r.LeafHash, &allocated, &reserved, &spent); err != nil {
		return r, err
	}
	var err error
	if r.OccurredAt, err = time.Parse(TimeLayout, occurred); err != nil {
		return r, err
	}
	if r.RecordedAt, err = time.Parse(TimeLayout, recorded); err != nil {
		return r, err
	}
	if amount.Valid {
		r.AmountFen = &amount.Int64
	}
	r.Documents = []string{}
	if documents != "" {
		r.Documents = strings.Split(documents, ",")
	}
	if allocated.Valid {
		r.Budget = &query.BudgetFigures{AllocatedFen: allocated.Int64, ReservedFen: reserved.Int64, SpentFen: spent.Int64,
			AvailableFen: allocated.Int64 - reserved.Int64 - spent.Int64}
	}
	return r, nil
}
