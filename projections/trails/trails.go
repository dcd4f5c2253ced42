// Package trails keeps rm_trail, the money trails auditors follow (F16):
// for every case, payment, budget, employee and condolence visit, each
// event that decided or moved its money, in global order, with who acted
// (account, name, position and unit at that moment), the amount it names,
// the documents' SHA-256, the event's audit-log leaf hash and, on a
// budget's trail, the budget's running figures after it. It holds no
// personal data: sealed fields are neither opened nor copied.
package trails

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/domain/visit"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectTrailsOnEvents.
const Name = "trails"

// Subject kinds: a trail's subject is "<kind>:<uuid>".
const (
	KindCase     = "case"
	KindPayment  = "payment"
	KindBudget   = "budget"
	KindEmployee = "employee"
)

// Subject names the trail of the kind's aggregate id.
func Subject(kind string, id uuid.UUID) string { return kind + ":" + id.String() }

// Projection maintains rm_trail. It holds money, so it never skips: an
// event of a stream it follows that it cannot place (a case it has not
// seen opened, a payment it has not seen instructed, a budget it has not
// seen allocated, a malformed payload) stops it there.
type Projection struct{}

// New returns the trails projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection.
//
// rm_trail holds one row per subject and event: subject ("case:<id>",
// "payment:<id>", "budget:<id>", "employee:<id>", "visit:<id>"), the
// event's position,
// stream and type, occurred_at and recorded_at (RFC 3339 UTC, nine
// decimals, so they sort as text), the actor's account, name, position
// and unit, amount_fen (NULL when the event names none), documents (the
// SHA-256 of a document it adds, "" otherwise), leaf_hash (hex) and, on a
// budget's rows, allocated, reserved and spent after the event (NULL on
// other rows). A payment's trail starts with copies of its case's
// decisions: the approval that allowed it.
//
// rm_trail_cases, rm_trail_payments and rm_trail_budgets are what the
// projection remembers to place events: each case's employee, each
// payment's case, employee and budget, each budget's running figures.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_trail", Create: []string{
			`CREATE TABLE {rm_trail} (
				subject           TEXT   NOT NULL,
				position          BIGINT NOT NULL,
				stream            TEXT   NOT NULL,
				type              TEXT   NOT NULL,
				occurred_at       TEXT   NOT NULL,
				recorded_at       TEXT   NOT NULL,
				actor_account_id  TEXT   NOT NULL,
				actor_name        TEXT   NOT NULL,
				actor_position_id TEXT   NOT NULL,
				actor_unit_id     TEXT   NOT NULL,
				amount_fen        BIGINT,
				documents         TEXT   NOT NULL,
				leaf_hash         TEXT   NOT NULL,
				allocated_fen     BIGINT,
				reserved_fen      BIGINT,
				spent_fen         BIGINT,
				PRIMARY KEY (subject, position))`,
		}},
		{Name: "rm_trail_cases", Create: []string{
			`CREATE TABLE {rm_trail_cases} (case_id TEXT PRIMARY KEY, employee_id TEXT NOT NULL)`,
		}},
		{Name: "rm_trail_payments", Create: []string{
			`CREATE TABLE {rm_trail_payments} (
				payment_id  TEXT PRIMARY KEY,
				case_id     TEXT NOT NULL,
				employee_id TEXT NOT NULL,
				budget_id   TEXT NOT NULL)`,
		}},
		{Name: "rm_trail_budgets", Create: []string{
			`CREATE TABLE {rm_trail_budgets} (
				budget_id     TEXT   PRIMARY KEY,
				allocated_fen BIGINT NOT NULL,
				reserved_fen  BIGINT NOT NULL,
				spent_fen     BIGINT NOT NULL)`,
		}},
	}
}

// ledgerPrefix opens an aid ledger's stream: aid-ledger-<employee>-<year>.
const ledgerPrefix = "aid-ledger-"

// kindBankFile is the stream of a bank file, which is no trail's subject:
// its events go on the trails of the payments it names.
const kindBankFile = "bank_file"

// streamKind tells which of the streams the projection follows holds e:
// a case's, a payment's, a budget's, a budget's spending, a bank file's
// or an employee's aid ledger, by parsing its name (other streams share these
// prefixes: "case-budget-…" claims a case's budget), and the aggregate
// the stream belongs to. ok is false for any other stream.
func streamKind(stream string) (kind string, id uuid.UUID, ok bool) {
	if id, err := casework.ParseCaseStream(stream); err == nil {
		return KindCase, id, true
	}
	if id, err := payment.ParseStream(stream); err == nil {
		return KindPayment, id, true
	}
	if id, err := budget.ParseStream(stream); err == nil {
		return KindBudget, id, true
	}
	if id, err := budget.ParseSpendingStream(stream); err == nil {
		return KindBudget, id, true
	}
	if _, err := payment.ParseBankFileStream(stream); err == nil {
		return kindBankFile, uuid.Nil, true
	}
	if id, err := visit.ParseStream(stream); err == nil {
		return KindVisit, id, true
	}
	if rest, found := strings.CutPrefix(stream, ledgerPrefix); found && len(rest) > 37 && rest[36] == '-' {
		if id, err := uuid.Parse(rest[:36]); err == nil {
			return KindEmployee, id, true
		}
	}
	return "", uuid.Nil, false
}

// Concerns implements readmodel.Selective: the streams of cases,
// payments, budgets, budget spending, visits and the employees' aid
// ledgers.
func (Projection) Concerns(e event.Recorded) bool {
	_, _, ok := streamKind(e.Stream)
	return ok
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	kind, id, ok := streamKind(e.Stream)
	if !ok {
		return nil
	}
	subjects, figures, err := place(ctx, tx, kind, id, e)
	if err != nil {
		return fmt.Errorf("trails: %s at position %d: %w", e.Type, e.Position, err)
	}
	r, err := rowOf(e)
	if err != nil {
		return fmt.Errorf("trails: %s at position %d: %w", e.Type, e.Position, err)
	}
	for _, s := range subjects {
		var f *budgetFigures
		if strings.HasPrefix(s, KindBudget+":") {
			f = figures
		}
		r.insert(tx, s, f)
	}
	return nil
}

// place returns the subjects whose trails e, of the stream of kind's
// aggregate id, belongs to, keeping what the projection remembers up to
// date, and the budget's figures after e when e moves a budget.
func place(ctx context.Context, tx *readmodel.Tx, kind string, id uuid.UUID, e event.Recorded) ([]string, *budgetFigures, error) {
	switch kind {
	case KindCase:
		return placeCase(ctx, tx, id, e)
	case KindPayment:
		return placePayment(ctx, tx, id, e)
	case KindBudget:
		return placeBudget(ctx, tx, id, e)
	case kindBankFile:
		return placeBankFile(ctx, tx, e)
	case KindVisit:
		return placeVisit(ctx, tx, id, e)
	default: // an employee's aid ledger
		return []string{Subject(KindEmployee, id)}, nil, nil
	}
}

func placeCase(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded) ([]string, *budgetFigures, error) {
	if e.Type == casework.TypeCaseOpened {
		var p casework.CaseOpened
		if err := event.Decode(e, &p); err != nil {
			return nil, nil, err
		}
		if p.CaseID != id || p.EmployeeID == uuid.Nil {
			return nil, nil, fmt.Errorf("case %s of employee %s in stream %s", p.CaseID, p.EmployeeID, e.Stream)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {rm_trail_cases} (case_id, employee_id) VALUES ($1, $2)`, id.String(), p.EmployeeID.String()); err != nil {
			return nil, nil, err
		}
		state(tx).employees[id] = p.EmployeeID
	}
	emp, err := employeeOf(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	return []string{Subject(KindCase, id), Subject(KindEmployee, emp)}, nil, nil
}

func placePayment(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded) ([]string, *budgetFigures, error) {
	if e.Type == payment.TypeInstructed {
		var p payment.Instructed
		if err := event.Decode(e, &p); err != nil {
			return nil, nil, err
		}
		if p.PaymentID != id {
			return nil, nil, fmt.Errorf("payment %s in stream %s", p.PaymentID, e.Stream)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {rm_trail_payments} (payment_id, case_id, employee_id, budget_id) VALUES ($1, $2, $3, $4)`,
			id.String(), p.CaseID.String(), p.EmployeeID.String(), p.BudgetID.String()); err != nil {
			return nil, nil, err
		}
		// The decisions that allowed the payment open its trail: those
		// of this batch written first.
		if err := state(tx).flushRows(ctx, tx); err != nil {
			return nil, nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO {rm_trail} SELECT $1, position, stream, type, occurred_at, recorded_at,
				actor_account_id, actor_name, actor_position_id, actor_unit_id, amount_fen, documents, leaf_hash,
				allocated_fen, reserved_fen, spent_fen
			FROM {rm_trail} WHERE subject = $2 AND type IN ($3, $4)`,
			Subject(KindPayment, id), Subject(KindCase, p.CaseID), casework.TypeCaseStepDecided, casework.TypeCaseApproved); err != nil {
			return nil, nil, err
		}
	}
	var caseID, emp string
	err := tx.QueryRow(ctx, `SELECT case_id, employee_id FROM {rm_trail_payments} WHERE payment_id = $1`, id.String()).Scan(&caseID, &emp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("payment %s was not instructed", id)
	}
	if err != nil {
		return nil, nil, err
	}
	return []string{Subject(KindPayment, id), KindCase + ":" + caseID, KindEmployee + ":" + emp}, nil, nil
}

// placeBankFile puts a bank file's event on the trails of the payments it
// names and of their cases.
func placeBankFile(ctx context.Context, tx *readmodel.Tx, e event.Recorded) ([]string, *budgetFigures, error) {
	var f struct {
		Payments []uuid.UUID `json:"payments"`
	}
	if err := event.Decode(e, &f); err != nil {
		return nil, nil, err
	}
	var subjects []string
	seen := map[string]bool{}
	for _, id := range f.Payments {
		var caseID string
		err := tx.QueryRow(ctx, `SELECT case_id FROM {rm_trail_payments} WHERE payment_id = $1`, id.String()).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, fmt.Errorf("payment %s was not instructed", id)
		}
		if err != nil {
			return nil, nil, err
		}
		for _, s := range []string{Subject(KindPayment, id), KindCase + ":" + caseID} {
			if !seen[s] {
				seen[s] = true
				subjects = append(subjects, s)
			}
		}
	}
	return subjects, nil, nil
}

// moneyOfCase is the part of a budget event's payload naming a case and
// a payment, or a visit.
type moneyOfCase struct {
	CaseID    uuid.UUID `json:"case_id"`
	PaymentID uuid.UUID `json:"payment_id"`
	VisitID   uuid.UUID `json:"visit_id"`
	AmountFen int64     `json:"amount_fen"`
}

func placeBudget(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, e event.Recorded) ([]string, *budgetFigures, error) {
	var m moneyOfCase
	if err := event.Decode(e, &m); err != nil {
		return nil, nil, err
	}
	f, err := figuresOf(ctx, tx, id, e.Type == budget.TypeAllocated)
	if err != nil {
		return nil, nil, err
	}
	switch e.Type {
	case budget.TypeAllocated, budget.TypeIncreased:
		f.Allocated += m.AmountFen
	case budget.TypeReserved:
		f.Reserved += m.AmountFen
	case budget.TypeReleased:
		f.Reserved -= m.AmountFen
	case budget.TypeSpent:
		f.Reserved -= m.AmountFen
		f.Spent += m.AmountFen
	case budget.TypeCharged:
		f.Spent += m.AmountFen
	case budget.TypeRefunded:
		f.Spent -= m.AmountFen
	default:
		return nil, nil, fmt.Errorf("unknown budget event type %q", e.Type)
	}
	state(tx).moved(id, f)
	subjects := []string{Subject(KindBudget, id)}
	if m.CaseID != uuid.Nil {
		emp, err := employeeOf(ctx, tx, m.CaseID)
		if err != nil {
			return nil, nil, err
		}
		subjects = append(subjects, Subject(KindCase, m.CaseID), Subject(KindEmployee, emp))
	}
	if m.PaymentID != uuid.Nil {
		subjects = append(subjects, Subject(KindPayment, m.PaymentID))
	}
	if m.VisitID != uuid.Nil {
		subjects = append(subjects, Subject(KindVisit, m.VisitID))
	}
	return subjects, &f, nil
}

// budgetFigures are a budget's running figures.
type budgetFigures struct{ Allocated, Reserved, Spent int64 }

// figuresOf returns budget id's figures so far; a new budget (its
// allocation) starts at zero.
// The batch keeps them from their first read on (see batchState).
func figuresOf(ctx context.Context, tx *readmodel.Tx, id uuid.UUID, allocation bool) (budgetFigures, error) {
	st := state(tx)
	if allocation {
		_, err := tx.Exec(ctx, `INSERT INTO {rm_trail_budgets} (budget_id, allocated_fen, reserved_fen, spent_fen) VALUES ($1, 0, 0, 0)`, id.String())
		st.budgets[id] = &budgetFigures{}
		return budgetFigures{}, err
	}
	if f, ok := st.budgets[id]; ok {
		return *f, nil
	}
	var f budgetFigures
	err := tx.QueryRow(ctx, `SELECT allocated_fen, reserved_fen, spent_fen FROM {rm_trail_budgets} WHERE budget_id = $1`, id.String()).
		Scan(&f.Allocated, &f.Reserved, &f.Spent)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("budget %s was not allocated", id)
	}
	if err != nil {
		return f, err
	}
	st.budgets[id] = &f
	return f, nil
}

func employeeOf(ctx context.Context, tx *readmodel.Tx, caseID uuid.UUID) (uuid.UUID, error) {
	st := state(tx)
	if emp, ok := st.employees[caseID]; ok {
		return emp, nil
	}
	var emp string
	err := tx.QueryRow(ctx, `SELECT employee_id FROM {rm_trail_cases} WHERE case_id = $1`, caseID.String()).Scan(&emp)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, fmt.Errorf("case %s was not opened", caseID)
	}
	if err != nil {
		return uuid.Nil, err
	}
	id, err := uuid.Parse(emp)
	if err != nil {
		return uuid.Nil, err
	}
	st.employees[caseID] = id
	return id, nil
}

// row is what every subject's trail records of one event.
type row struct {
	e         event.Recorded
	amount    *int64
	documents string
	leaf      string
}

// amounts names the payload members that carry an event's amount, in the
// order they are looked for: what it moved, else what was asked, else the
// total paid.
var amounts = []string{"amount_fen", "requested_fen", "total_fen"}

func rowOf(e event.Recorded) (row, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(e.Data, &members); err != nil {
		return row{}, fmt.Errorf("payload: %w", err)
	}
	r := row{e: e}
	for _, name := range amounts {
		if raw, ok := members[name]; ok {
			var fen int64
			if err := json.Unmarshal(raw, &fen); err != nil {
				return row{}, fmt.Errorf("%s: %w", name, err)
			}
			r.amount = &fen
			break
		}
	}
	if raw, ok := members["sha256"]; ok {
		if err := json.Unmarshal(raw, &r.documents); err != nil {
			return row{}, fmt.Errorf("sha256: %w", err)
		}
	}
	leaf := event.LeafHash(e)
	r.leaf = hex.EncodeToString(leaf[:])
	return r, nil
}

// TimeLayout is how rm_trail writes times: RFC 3339 in UTC with nine
// decimals, so that they sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// insert adds the row of r's event on subject's trail to those the batch
// writes at its end.
func (r row) insert(tx *readmodel.Tx, subject string, f *budgetFigures) {
	m := r.e.Metadata
	var allocated, reserved, spent any
	if f != nil {
		allocated, reserved, spent = f.Allocated, f.Reserved, f.Spent
	}
	var amount any
	if r.amount != nil {
		amount = *r.amount
	}
	st := state(tx)
	st.rows = append(st.rows, subject, r.e.Position, r.e.Stream, r.e.Type,
		m.OccurredAt.UTC().Format(TimeLayout), r.e.RecordedAt.UTC().Format(TimeLayout),
		m.ActorAccountID, m.ActorName, m.ActorPositionID, m.ActorUnitID, amount, r.documents, r.leaf, allocated, reserved, spent)
}
