package inbox

import (
	"context"

	"aidtrail/projections/readmodel"
)

// batchState is what the projection keeps for one transaction of events
// (readmodel.Tx.Local): each case it has read, with its steps once read,
// and the cases whose amount or current step moved, written back once at
// the end of the batch. A case's submission and decisions tend to come
// close together; each then costs no read of its own.
type batchState struct {
	cases   map[string]*batchCase
	changed []string // case ids whose state moved, in order first moved
}

// batchCase is a case as the batch knows it.
type batchCase struct {
	caseState
	steps []heldStep // nil: not read yet
	dirty bool
}

// heldStep is one step of a case's current round and its holder.
type heldStep struct{ name, account string }

type stateKey struct{}

// state returns the batch's state, registering its write-back at the
// batch's end on first use.
func state(tx *readmodel.Tx) *batchState {
	return tx.Local(stateKey{}, func() any {
		st := &batchState{cases: map[string]*batchCase{}}
		tx.AtEnd(func(ctx context.Context) error { return st.flush(ctx, tx) })
		return st
	}).(*batchState)
}

// flush writes back the cases whose state moved.
func (st *batchState) flush(ctx context.Context, tx *readmodel.Tx) error {
	for _, id := range st.changed {
		c := st.cases[id]
		if _, err := tx.Exec(ctx, `UPDATE {rm_inbox_cases} SET amount_fen = $2, current_seq = $3 WHERE case_id = $1`,
			id, c.amount, c.current); err != nil {
			return err
		}
		c.dirty = false
	}
	st.changed = st.changed[:0]
	return nil
}
