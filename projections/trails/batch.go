package trails

import (
	"context"

	"github.com/google/uuid"

	"aidtrail/projections/readmodel"
)

// batchState is what the projection keeps for one transaction of events
// (readmodel.Tx.Local): the trail rows to insert, written together at the
// end of the batch or before a statement that reads rm_trail; each case's
// employee, once read; each budget's running figures, read once and
// written back at the end. A case's events tend to come close together,
// and a bureau's budget moves with every case: most events then cost no
// statement of their own.
type batchState struct {
	rows      []any // trailColumns values per row, in order
	employees map[uuid.UUID]uuid.UUID
	budgets   map[uuid.UUID]*budgetFigures
	changed   []uuid.UUID // budgets whose figures moved, in order first moved
}

type stateKey struct{}

// state returns the batch's state, registering its flush at the batch's
// end on first use.
func state(tx *readmodel.Tx) *batchState {
	return tx.Local(stateKey{}, func() any {
		st := &batchState{employees: map[uuid.UUID]uuid.UUID{}, budgets: map[uuid.UUID]*budgetFigures{}}
		tx.AtEnd(func(ctx context.Context) error {
			if err := st.flushRows(ctx, tx); err != nil {
				return err
			}
			return st.flushBudgets(ctx, tx)
		})
		return st
	}).(*batchState)
}

// trailColumns are rm_trail's columns, in the order rows holds them.
var trailColumns = []string{"subject", "position", "stream", "type", "occurred_at", "recorded_at",
	"actor_account_id", "actor_name", "actor_position_id", "actor_unit_id", "amount_fen", "documents", "leaf_hash",
	"allocated_fen", "reserved_fen", "spent_fen"}

// trailChunk is how many rows one INSERT writes at most (see
// readmodel.Tx.InsertRows): 40 rows (640 parameters) made a rebuild
// staged in SQLite measurably slower.
const trailChunk = 16

// flushRows inserts the gathered trail rows.
func (st *batchState) flushRows(ctx context.Context, tx *readmodel.Tx) error {
	err := tx.InsertRows(ctx, "{rm_trail}", trailColumns, st.rows, trailChunk)
	st.rows = st.rows[:0]
	return err
}

// flushBudgets writes back the running figures of the budgets that moved.
func (st *batchState) flushBudgets(ctx context.Context, tx *readmodel.Tx) error {
	for _, id := range st.changed {
		f := st.budgets[id]
		if _, err := tx.Exec(ctx, `UPDATE {rm_trail_budgets} SET allocated_fen = $2, reserved_fen = $3, spent_fen = $4 WHERE budget_id = $1`,
			id.String(), f.Allocated, f.Reserved, f.Spent); err != nil {
			return err
		}
	}
	st.changed = st.changed[:0]
	return nil
}

// moved records budget id's figures after an event.
func (st *batchState) moved(id uuid.UUID, f budgetFigures) {
	if _, ok := st.budgets[id]; !ok {
		panic("trails: figures of a budget not read first")
	}
	if !containsID(st.changed, id) {
		st.changed = append(st.changed, id)
	}
	*st.budgets[id] = f
}

func containsID(ids []uuid.UUID, id uuid.UUID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
