package stats

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// batchState is what the projection keeps for one transaction of events
// (readmodel.Tx.Local): the changes to each case's row (and its cause
// rows) that its events after the opening make, written once per case at
// the end of the batch. A case's submission, decisions and payment tend
// to come close together; each then costs no statement of its own.
type batchState struct {
	cases map[uuid.UUID]*caseChange
	order []uuid.UUID // in order first changed
}

// caseChange is what the batch's events set in one case's rows: the
// columns set (latest value wins) and what the bank paid, added.
type caseChange struct {
	first    event.Recorded // the first event that changed the case, to name in errors
	status   *string
	approved *int64
	paid     int64
	version  *int
	line     *string
	lineNo   *int64
}

type stateKey struct{}

// changeOf returns the batch's change to case id, registering the batch's
// write-back at its end on first use.
func changeOf(tx *readmodel.Tx, e event.Recorded, id uuid.UUID) *caseChange {
	st := tx.Local(stateKey{}, func() any {
		st := &batchState{cases: map[uuid.UUID]*caseChange{}}
		tx.AtEnd(func(ctx context.Context) error { return st.flush(ctx, tx) })
		return st
	}).(*batchState)
	c, ok := st.cases[id]
	if !ok {
		c = &caseChange{first: e}
		st.cases[id] = c
		st.order = append(st.order, id)
	}
	return c
}

// flush writes each changed case's rows, in the order first changed; a
// case that was never opened fails the batch, naming its first event.
func (st *batchState) flush(ctx context.Context, tx *readmodel.Tx) error {
	for _, id := range st.order {
		c := st.cases[id]
		set, args := c.caseColumns()
		if len(set) > 0 {
			res, err := tx.Exec(ctx, "UPDATE {rm_stats_cases} SET "+strings.Join(set, ", ")+" WHERE case_id = $1",
				append([]any{id.String()}, args...)...)
			if err != nil {
				return wrap(c.first, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("stats: %s at position %d: case %s not opened (%d rows, %v)", c.first.Type, c.first.Position, id, n, err)
			}
		}
		if set, args := c.causeColumns(); len(set) > 0 {
			_, err := tx.Exec(ctx, "UPDATE {rm_stats_case_causes} SET "+strings.Join(set, ", ")+
				" WHERE case_no = (SELECT case_no FROM {rm_stats_cases} WHERE case_id = $1)", append([]any{id.String()}, args...)...)
			if err != nil {
				return wrap(c.first, err)
			}
		}
	}
	st.cases, st.order = map[uuid.UUID]*caseChange{}, st.order[:0]
	return nil
}

// caseColumns is the SET list of the case's row and its arguments ($2 on).
func (c *caseChange) caseColumns() ([]string, []any) {
	var cols columns
	if c.status != nil {
		cols.set("status = $%d", *c.status)
	}
	if c.approved != nil {
		cols.set("approved_fen = $%d", *c.approved)
	}
	if c.paid != 0 {
		cols.set("paid_fen = paid_fen + $%d", c.paid)
	}
	if c.version != nil {
		cols.set("standard_version = $%d", *c.version)
	}
	if c.line != nil {
		cols.set("budget_line = $%d", *c.line)
	}
	if c.lineNo != nil {
		cols.set("line_no = $%d", *c.lineNo)
	}
	return cols.list, cols.args
}

// causeColumns is the SET list of the case's cause rows, which copy its
// money and budget line, and its arguments ($2 on).
func (c *caseChange) causeColumns() ([]string, []any) {
	var cols columns
	if c.approved != nil {
		cols.set("approved_fen = $%d", *c.approved)
	}
	if c.paid != 0 {
		cols.set("paid_fen = paid_fen + $%d", c.paid)
	}
	if c.lineNo != nil {
		cols.set("line_no = $%d", *c.lineNo)
	}
	return cols.list, cols.args
}

// columns gathers a SET list whose parameters follow the case id ($1).
type columns struct {
	list []string
	args []any
}

func (c *columns) set(format string, v any) {
	c.args = append(c.args, v)
	c.list = append(c.list, strings.Replace(format, "%d", strconv.Itoa(len(c.args)+1), 1))
}
