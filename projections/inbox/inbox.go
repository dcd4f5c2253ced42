// Package inbox keeps rm_inbox, the approval steps waiting on each account
// now: one row per case whose review waits for a decision, naming the
// step, its assignee and the amount under review, for inboxes paged by
// when the work arrived.
package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectInboxOnEvents.
const Name = "inbox"

// Projection maintains rm_inbox from case events, as package casework
// decides which step is current: a submission (first or after a return)
// makes the first step current; an approval the next one, none after the
// last; a rejection, return, withdrawal or closing leaves none; a
// reassignment moves a step, current or not, to its new holder. It shows
// amounts under review, so it never skips a case event: one it cannot
// apply (of an unknown type, about a case it has not seen opened, deciding
// a step that is not current) is an error and stops it there.
type Projection struct{}

// New returns the inbox projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection.
//
// rm_inbox holds one row per (case, step) waiting for a decision:
// account_id is the step's assignee, amount_fen the amount under review
// (the requested amount, lowered by each approval of the round),
// waiting_since (RFC 3339, UTC) and position (global position) the event
// that made it this account's turn: the submission, the approval of the
// step before, or the reassignment to this account. position orders an
// account's inbox (cursor paging).
//
// rm_inbox_cases and rm_inbox_steps are what the projection remembers to
// get there: each case's unit, employee, standard, amount under review and
// the index of its current step (seq), and the steps of its current round
// in order with their holders.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_inbox", Create: []string{
			`CREATE TABLE {rm_inbox} (
				case_id       TEXT   NOT NULL,
				step          TEXT   NOT NULL,
				account_id    TEXT   NOT NULL,
				unit_id       TEXT   NOT NULL,
				employee_id   TEXT   NOT NULL,
				standard_code TEXT   NOT NULL,
				amount_fen    BIGINT NOT NULL,
				waiting_since TEXT   NOT NULL,
				position      BIGINT NOT NULL UNIQUE,
				PRIMARY KEY (case_id, step))`,
			`CREATE INDEX {rm_inbox}_account ON {rm_inbox} (account_id, position)`,
		}},
		{Name: "rm_inbox_cases", Create: []string{
			`CREATE TABLE {rm_inbox_cases} (
				case_id       TEXT    PRIMARY KEY,
				unit_id       TEXT    NOT NULL,
				employee_id   TEXT    NOT NULL,
				standard_code TEXT    NOT NULL,
				amount_fen    BIGINT  NOT NULL,
				current_seq   INTEGER NOT NULL)`,
		}},
		{Name: "rm_inbox_steps", Create: []string{
			`CREATE TABLE {rm_inbox_steps} (
				case_id    TEXT    NOT NULL,
				seq        INTEGER NOT NULL,
				name       TEXT    NOT NULL,
				account_id TEXT    NOT NULL,
				PRIMARY KEY (case_id, seq))`,
		}},
	}
}

// Concerns implements readmodel.Selective: case events.
func (Projection) Concerns(e event.Recorded) bool { return strings.HasPrefix(e.Type, "case.") }

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	id, err := readmodel.CaseID(e.Stream)
	if err != nil {
		return err
	}
	a := applier{ctx: ctx, tx: tx, e: e, id: id.String()}
	switch e.Type {
	case casework.TypeCaseOpened:
		var p casework.CaseOpened
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		if p.CaseID != id {
			return fmt.Errorf("inbox: case.opened for %s in stream %s", p.CaseID, e.Stream)
		}
		return a.exec(`INSERT INTO {rm_inbox_cases} (case_id, unit_id, employee_id, standard_code, amount_fen, current_seq)
			VALUES ($1, $2, $3, $4, $5, 0)`, a.id, p.UnitID.String(), p.EmployeeID.String(), p.StandardCode, p.RequestedFen)
	case casework.TypeCaseSubmitted:
		var p casework.CaseSubmitted
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return a.submitted(p)
	case casework.TypeCaseStepDecided:
		var p casework.CaseStepDecided
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return a.decided(p)
	case casework.TypeCaseStepReassigned:
		var p casework.CaseStepReassigned
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return a.reassigned(p)
	case casework.TypeCaseReturned, casework.TypeCaseRejected, casework.TypeCaseWithdrawn,
		casework.TypeCaseApproved, casework.TypeCaseClosed:
		// Nothing waits any more. A returned case keeps its steps: they
		// may be reassigned before it is resubmitted.
		if _, err := a.known(); err != nil {
			return err
		}
		if e.Type != casework.TypeCaseReturned {
			if err := a.exec(`DELETE FROM {rm_inbox_steps} WHERE case_id = $1`, a.id); err != nil {
				return err
			}
			state(tx).cases[a.id].steps = []heldStep{}
		}
		return a.exec(`DELETE FROM {rm_inbox} WHERE case_id = $1`, a.id)
	case casework.TypeCaseDocumentAdded, casework.TypeCasePaymentInstructed, casework.TypeCasePaymentConfirmed,
		casework.TypeCasePaymentFailed, casework.TypeCasePaid:
		return nil // no step waits on these
	default:
		return fmt.Errorf("inbox: unknown case event type %q", e.Type)
	}
}

// applier applies one event e of case id.
type applier struct {
	ctx context.Context
	tx  *readmodel.Tx
	e   event.Recorded
	id  string
}

// caseState is what the projection remembers of a case.
type caseState struct {
	unit, employee, standard string
	amount                   int64
	current                  int
}

func (a applier) exec(query string, args ...any) error {
	if _, err := a.tx.Exec(a.ctx, query, args...); err != nil {
		return a.fail(err)
	}
	return nil
}

func (a applier) fail(err error) error {
	return fmt.Errorf("inbox: %s on case %s: %w", a.e.Type, a.id, err)
}

// known reads the case, which must have been opened; the batch keeps it
// from then on (see batchState).
func (a applier) known() (caseState, error) {
	st := state(a.tx)
	if c, ok := st.cases[a.id]; ok {
		return c.caseState, nil
	}
	var s caseState
	err := a.tx.QueryRow(a.ctx, `SELECT unit_id, employee_id, standard_code, amount_fen, current_seq
		FROM {rm_inbox_cases} WHERE case_id = $1`, a.id).Scan(&s.unit, &s.employee, &s.standard, &s.amount, &s.current)
	if err != nil {
		return caseState{}, a.fail(fmt.Errorf("case not opened: %w", err))
	}
	st.cases[a.id] = &batchCase{caseState: s}
	return s, nil
}

// update records the case's amount and current step after this event,
// written at the end of the batch.
func (a applier) update(s caseState) {
	st := state(a.tx)
	c := st.cases[a.id]
	if !c.dirty {
		c.dirty = true
		st.changed = append(st.changed, a.id)
	}
	c.caseState = s
}

// step returns the name and holder of step seq of the current round; ok
// is false past the last. The batch keeps the case's steps from their
// first read on.
func (a applier) step(seq int) (name, account string, ok bool, err error) {
	c := state(a.tx).cases[a.id] // known() came first
	if c.steps == nil {
		if c.steps, err = a.readSteps(); err != nil {
			return "", "", false, err
		}
	}
	if seq < 0 || seq >= len(c.steps) {
		return "", "", false, nil
	}
	return c.steps[seq].name, c.steps[seq].account, true, nil
}

// readSteps reads the case's steps, in order.
func (a applier) readSteps() ([]heldStep, error) {
	rows, err := a.tx.Query(a.ctx, `SELECT seq, name, account_id FROM {rm_inbox_steps} WHERE case_id = $1 ORDER BY seq`, a.id)
	if err != nil {
		return nil, a.fail(err)
	}
	defer rows.Close()
	steps := []heldStep{}
	for rows.Next() {
		var seq int
		var s heldStep
		if err := rows.Scan(&seq, &s.name, &s.account); err != nil {
			return nil, a.fail(err)
		}
		if seq != len(steps) {
			return nil, a.fail(fmt.Errorf("steps skip from %d to %d", len(steps), seq))
		}
		steps = append(steps, s)
	}
	if err := rows.Err(); err != nil {
		return nil, a.fail(err)
	}
	return steps, nil
}

// waits makes step (name, account) of case s current as of this event.
func (a applier) waits(s caseState, name, account string) error {
	return a.exec(`INSERT INTO {rm_inbox} (case_id, step, account_id, unit_id, employee_id, standard_code,
		amount_fen, waiting_since, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.id, name, account, s.unit, s.employee, s.standard, s.amount,
		a.e.RecordedAt.UTC().Format(time.RFC3339), a.e.Position)
}

// submitted starts a round: the steps as submitted, the first current, at
// the submission's amount.
func (a applier) submitted(p casework.CaseSubmitted) error {
	s, err := a.known()
	if err != nil {
		return err
	}
	if len(p.Steps) == 0 {
		return a.fail(fmt.Errorf("submitted without steps"))
	}
	for _, q := range []string{`DELETE FROM {rm_inbox} WHERE case_id = $1`, `DELETE FROM {rm_inbox_steps} WHERE case_id = $1`} {
		if err := a.exec(q, a.id); err != nil {
			return err
		}
	}
	steps := make([]heldStep, len(p.Steps))
	args := make([]any, 0, 4*len(p.Steps))
	for i, st := range p.Steps {
		if st.AssigneeAccountID == uuid.Nil {
			return a.fail(fmt.Errorf("step %q has no assignee", st.Name))
		}
		steps[i] = heldStep{name: st.Name, account: st.AssigneeAccountID.String()}
		args = append(args, a.id, i, st.Name, steps[i].account)
	}
	if err := a.tx.InsertRows(a.ctx, "{rm_inbox_steps}", []string{"case_id", "seq", "name", "account_id"}, args, len(steps)); err != nil {
		return a.fail(err)
	}
	state(a.tx).cases[a.id].steps = steps
	s.amount, s.current = p.AmountFen, 0
	a.update(s)
	return a.waits(s, p.Steps[0].Name, p.Steps[0].AssigneeAccountID.String())
}

// decided closes the current step; an approval makes the next one
// current, at the amount it approved.
func (a applier) decided(p casework.CaseStepDecided) error {
	s, err := a.known()
	if err != nil {
		return err
	}
	name, _, ok, err := a.step(s.current)
	if err != nil {
		return err
	}
	if !ok || name != p.Step {
		return a.fail(fmt.Errorf("step %q is not waiting for a decision", p.Step))
	}
	switch p.Decision {
	case casework.Approve:
		if p.AmountFen < 1 {
			return a.fail(fmt.Errorf("approved %d fen", p.AmountFen))
		}
		s.amount = p.AmountFen
	case casework.Reject, casework.Return:
	default:
		return a.fail(fmt.Errorf("unknown decision %q", p.Decision))
	}
	s.current++
	a.update(s)
	if err := a.exec(`DELETE FROM {rm_inbox} WHERE case_id = $1`, a.id); err != nil {
		return err
	}
	if p.Decision != casework.Approve {
		return nil
	}
	next, account, ok, err := a.step(s.current)
	if err != nil || !ok {
		return err // the last approval: the case is approved, nothing waits
	}
	return a.waits(s, next, account)
}

// reassigned moves a step to its new holder; when the step is the one
// waiting, the new holder's turn starts now.
func (a applier) reassigned(p casework.CaseStepReassigned) error {
	if _, err := a.known(); err != nil {
		return err
	}
	if p.ToAccountID == uuid.Nil {
		return a.fail(fmt.Errorf("step %q reassigned to no one", p.Step))
	}
	from, to := p.FromAccountID.String(), p.ToAccountID.String()
	res, err := a.tx.Exec(a.ctx, `UPDATE {rm_inbox_steps} SET account_id = $4
		WHERE case_id = $1 AND name = $2 AND account_id = $3`, a.id, p.Step, from, to)
	if err != nil {
		return a.fail(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return a.fail(fmt.Errorf("no step %q held by %s (%d rows, %v)", p.Step, from, n, err))
	}
	if c := state(a.tx).cases[a.id]; c.steps != nil {
		for i := range c.steps {
			if c.steps[i].name == p.Step && c.steps[i].account == from {
				c.steps[i].account = to
			}
		}
	}
	return a.exec(`UPDATE {rm_inbox} SET account_id = $4, waiting_since = $5, position = $6
		WHERE case_id = $1 AND step = $2 AND account_id = $3`,
		a.id, p.Step, from, to, a.e.RecordedAt.UTC().Format(time.RFC3339), a.e.Position)
}
