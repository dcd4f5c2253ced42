package discovery

import (
	"context"
	"strconv"
	"strings"

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
const lifeColumns = 6

// lifeChunk is how many life events one INSERT writes at most: enough to
// save the round trips, few enough that SQLite's lookup of numbered
// parameters (linear in their number) stays cheap.
const lifeChunk = 50

// flushLife inserts the gathered life events.
func (st *batchState) flushLife(ctx context.Context, tx *readmodel.Tx) error {
	for len(st.life) > 0 {
		n := min(len(st.life)/lifeColumns, lifeChunk)
		if _, err := tx.Exec(ctx, insertLife(n), st.life[:n*lifeColumns]...); err != nil {
			return err
		}
		st.life = st.life[n*lifeColumns:]
	}
	return nil
}

// insertLife is the INSERT of n life events.
func insertLife(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO {rm_discovery_life} (life_event_id, employee_id, kind, subject, occurred_on, position) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range lifeColumns {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i*lifeColumns+c+1))
		}
		b.WriteByte(')')
	}
	return b.String()
}
