// Package budgets keeps rm_budgets, every budget's figures: allocated,
// reserved for approved cases, spent by confirmed payments and by visits,
// and available, for lists by unit, year and budget line with cursor
// paging.
package budgets

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectBudgetsOnEvents.
const Name = "budgets"

// Projection maintains rm_budgets from the budgets' streams and their
// spending streams (budget.Stream, budget.SpendingStream). It holds
// money, so it never skips: an event of a budget stream it cannot apply
// (of an unknown type, about a budget it has not seen allocated, with a
// malformed payload or an amount that is not positive), or a budget.*
// event outside those streams, is an error and stops it there.
type Projection struct{}

// New returns the budgets projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection: rm_budgets, one row per budget.
// Amounts are in fen, as package budget counts them: reserved_fen is what
// approved cases hold and the bank has not yet paid, spent_fen what it
// confirmed and what visits were charged less their refunds, available_fen = allocated_fen − reserved_fen − spent_fen.
// allocated_position is the global position of budget.allocated and
// orders budget lists (cursor paging); updated_position is that of the
// last event that changed the row.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{{Name: "rm_budgets", Create: []string{
		`CREATE TABLE {rm_budgets} (
			budget_id          TEXT    PRIMARY KEY,
			unit_id            TEXT    NOT NULL,
			year               INTEGER NOT NULL,
			line               TEXT    NOT NULL,
			allocated_fen      BIGINT  NOT NULL,
			reserved_fen       BIGINT  NOT NULL,
			spent_fen          BIGINT  NOT NULL,
			available_fen      BIGINT  NOT NULL,
			allocated_position BIGINT  NOT NULL UNIQUE,
			updated_position   BIGINT  NOT NULL)`,
		`CREATE INDEX {rm_budgets}_unit ON {rm_budgets} (unit_id, allocated_position)`,
		`CREATE INDEX {rm_budgets}_year ON {rm_budgets} (year, line, allocated_position)`,
	}}}
}

const spendingPrefix = "budget-spending-"

// Concerns implements readmodel.Selective: every event of a budget's
// streams, and any budget event elsewhere (which it refuses).
func (Projection) Concerns(e event.Recorded) bool {
	return strings.HasPrefix(e.Stream, "budget-") || strings.HasPrefix(e.Type, "budget.")
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	spending := strings.HasPrefix(e.Stream, spendingPrefix)
	id, err := budgetID(e.Stream, spending)
	if err != nil {
		return err
	}
	if spending && e.Type != budget.TypeSpent {
		return fmt.Errorf("budgets: %s at position %d: a spending stream holds only %s", e.Type, e.Position, budget.TypeSpent)
	}
	switch e.Type {
	case budget.TypeAllocated:
		var p budget.Allocated
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		switch {
		case p.BudgetID != id:
			return fmt.Errorf("budgets: budget.allocated for %s in stream %s", p.BudgetID, e.Stream)
		case p.UnitID == uuid.Nil:
			return fmt.Errorf("budgets: budget.allocated at position %d without a unit", e.Position)
		}
		if err := positive(e, p.AmountFen); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_budgets} (budget_id, unit_id, year, line, allocated_fen,
			reserved_fen, spent_fen, available_fen, allocated_position, updated_position)
			VALUES ($1, $2, $3, $4, $5, 0, 0, $5, $6, $6)`,
			id.String(), p.UnitID.String(), p.Year, p.Line, p.AmountFen, e.Position)
		if err != nil {
			return fmt.Errorf("budgets: allocate %s: %w", id, err)
		}
		return nil
	case budget.TypeIncreased:
		var p budget.Increased
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "allocated_fen = allocated_fen + $3, available_fen = available_fen + $3")
	case budget.TypeReserved:
		var p budget.Reserved
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "reserved_fen = reserved_fen + $3, available_fen = available_fen - $3")
	case budget.TypeReleased:
		var p budget.Released
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "reserved_fen = reserved_fen - $3, available_fen = available_fen + $3")
	case budget.TypeSpent:
		// In the budget's own stream (older histories) or its spending
		// stream alike: the case's reserved money is now spent.
		var p budget.Spent
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "reserved_fen = reserved_fen - $3, spent_fen = spent_fen + $3")
	case budget.TypeCharged:
		// A visit's money, spent at once without a reservation.
		var p budget.Charged
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "spent_fen = spent_fen + $3, available_fen = available_fen - $3")
	case budget.TypeRefunded:
		var p budget.Refunded
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return move(ctx, tx, id, e, p.AmountFen, "spent_fen = spent_fen - $3, available_fen = available_fen + $3")
	default:
		return fmt.Errorf("budgets: unknown budget event type %q at position %d", e.Type, e.Position)
	}
}

// move changes the figures of budget id, which must have been allocated,
// by fen (set uses $3 for it).
func move(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded, fen int64, set string) error {
	if err := positive(e, fen); err != nil {
		return err
	}
	res, err := tx.Exec(ctx, "UPDATE {rm_budgets} SET "+set+", updated_position = $2 WHERE budget_id = $1",
		id.String(), e.Position, fen)
	if err != nil {
		return fmt.Errorf("budgets: %s on %s: %w", e.Type, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("budgets: %s on %s: budget not allocated (%d rows, %v)", e.Type, id, n, err)
	}
	return nil
}

func positive(e event.Recorded, fen int64) error {
	if fen <= 0 || fen > budget.MaxFen {
		return fmt.Errorf("budgets: %s at position %d: amount_fen %d is not 1 to %d", e.Type, e.Position, fen, int64(budget.MaxFen))
	}
	return nil
}

// budgetID is the budget whose stream (spending stream when spending)
// stream is.
func budgetID(stream string, spending bool) (uuid.UUID, error) {
	parse := budget.ParseStream
	if spending {
		parse = budget.ParseSpendingStream
	}
	id, err := parse(stream)
	if err != nil {
		return uuid.Nil, fmt.Errorf("budgets: %w", err)
	}
	return id, nil
}
