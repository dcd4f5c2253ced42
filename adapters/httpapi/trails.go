package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
)

// Money trails (F16): every event that decided or moved a subject's money,
// in global order, paged; each read is recorded.

type trailActorJSON struct {
	AccountID  string `json:"account_id"`
	Name       string `json:"name"`
	PositionID string `json:"position_id"`
	UnitID     string `json:"unit_id"`
}

type budgetFiguresJSON struct {
	AllocatedFen int64 `json:"allocated_fen"`
	ReservedFen  int64 `json:"reserved_fen"`
	SpentFen     int64 `json:"spent_fen"`
	AvailableFen int64 `json:"available_fen"`
}

type trailEntryJSON struct {
	Position   int64              `json:"position"`
	Stream     string             `json:"stream"`
	Type       string             `json:"type"`
	OccurredAt string             `json:"occurred_at"`
	RecordedAt string             `json:"recorded_at"`
	Actor      trailActorJSON     `json:"actor"`
	AmountFen  *int64             `json:"amount_fen"`
	Documents  []string           `json:"documents"`
	LeafHash   string             `json:"leaf_hash"`
	Budget     *budgetFiguresJSON `json:"budget,omitempty"`
}

type trailRead func(ctx context.Context, actor commands.Actor, id uuid.UUID, f query.TrailFilter) ([]query.TrailRow, int64, error)

// trail serves GET /v1/{cases,payments,budgets,employees}/{id}/trail
// ?cursor&limit&as_of&min_position&format with read; kind names the
// subject in a download's file name.
func (a *api) trail(kind string, read trailRead) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		q := listParams(r)
		page := q.page()
		format := q.str("format")
		if format != "" && format != "json" && format != "csv" && format != "xlsx" {
			q.fail("format", "must be json, csv or xlsx")
		}
		if q.err != nil {
			return q.err
		}
		whole := format == "csv" || format == "xlsx"
		at, err := asOf(r)
		if err != nil {
			return err
		}
		if err := a.awaitMinPosition(r); err != nil {
			return err
		}
		rows, next, err := read(r.Context(), callerOf(r).actor, id, query.TrailFilter{AsOf: at, Page: page, Whole: whole})
		if err != nil {
			return err
		}
		name := kind + "-" + id.String() + "-trail"
		switch format {
		case "csv":
			return writeTrailCSV(w, name, rows)
		case "xlsx":
			return writeTrailXLSX(w, name, kind+" "+id.String()[:8], rows)
		}
		out := make([]trailEntryJSON, len(rows))
		for i, row := range rows {
			e := trailEntryJSON{Position: row.Position, Stream: row.Stream, Type: row.Type,
				OccurredAt: row.OccurredAt.UTC().Format(time.RFC3339Nano), RecordedAt: row.RecordedAt.UTC().Format(time.RFC3339Nano),
				Actor:     trailActorJSON{AccountID: row.Actor.AccountID, Name: row.Actor.Name, PositionID: row.Actor.PositionID, UnitID: row.Actor.UnitID},
				AmountFen: row.AmountFen, Documents: row.Documents, LeafHash: row.LeafHash}
			if b := row.Budget; b != nil {
				e.Budget = &budgetFiguresJSON{AllocatedFen: b.AllocatedFen, ReservedFen: b.ReservedFen, SpentFen: b.SpentFen, AvailableFen: b.AvailableFen}
			}
			out[i] = e
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": out, "next_cursor": nextCursor(next)})
		return nil
	}
}
