package discovery

import (
	"context"

	"aidtrail/domain/care"
	"aidtrail/projections/readmodel"
)

// batchState is what the projection keeps for one transaction of events
// (readmodel.Tx.Local): the rule set in force, read once, and the life
// events to insert, written together at the end of the batch or before a
// read of them. A bureau's history is mostly life events no rule looks
// for; each then costs no statement of its own.
type batchState struct {
	rules *care.RulesPublished
	life  []any // lifeColumns values per life event, in order
}

// stateKey keys batchState in a transaction.
type stateKey struct{}

// state returns the batch's state, registering its flush at the batch's
// end on first use.
func (a *applier) state() *batchState {
	return a.tx.Local(stateKey{}, func() any {
		st := &batchState{}
		tx := a.tx
		tx.AtEnd(func(ctx context.Context) error { return st.flushLife(ctx, tx) })
		return st
	}).(*batchState)
}

// lifeColumns are rm_discovery_life's columns, in the order life holds them.
var lifeColumns = []string{"life_event_id", "employee_id", "kind", "subject", "occurred_on", "position"}

// lifeChunk is how many life events one INSERT writes at most (see
// readmodel.Tx.InsertRows).
const lifeChunk = 50

// flushLife inserts the gathered life events.
func (st *batchState) flushLife(ctx context.Context, tx *readmodel.Tx) error {
	err := tx.InsertRows(ctx, "{rm_discovery_life}", lifeColumns, st.life, lifeChunk)
	st.life = st.life[:0]
	return err
}
