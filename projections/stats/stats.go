// Package stats keeps the statistics read model (F10): one row per case
// with the dimensions an analyst cuts aid by — unit, category, standard,
// budget line (支出结构), month — and its money, plus the causes of
// hardship (致困原因) each case names. Query answers GET /v1/stats from
// these tables; analysts may read them with any SQL tool.
//
// What the figures mean:
//
//   - A case is counted in the month it was opened (Asia/Shanghai, the
//     zone of reporting periods; the moment its command ran), whatever has
//     become of it since:
//     cases counts applications, drafts, rejected and withdrawn ones
//     included; status says where each stands.
//   - approved_fen is the amount the case's final approval granted
//     (case.approved), 0 until then; paid_fen is the sum of the payments
//     the bank confirmed (case.payment_confirmed). Both are exact fen.
//   - The budget line is that of the standard's version the case was
//     submitted under, which is the line its approval reserves money from;
//     before the first submission it is that of the version current when
//     the case was opened. A standard the catalogue's events never
//     described (a history written by a tool, not the service) gives the
//     empty line.
//   - A case naming several causes counts once under each of them; a case
//     naming none counts once under the empty cause, so that grouping by
//     cause loses no case.
//   - A case belongs to the unit it was filed at; roll-up by unit follows
//     the organisation as it is now (a unit moved takes its past cases to
//     its new parent).
//   - employees counts distinct employees among a group's cases.
//
// The projection reads unit, standard and case events and nothing else; it
// keeps its own copy of the organisation, so its figures never wait on
// another read model.
package stats

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name.
const Name = "stats"

// MonthOf is the reporting month, YYYY-MM, of an event: of the moment the
// command that wrote it ran (its metadata's occurred_at), or of when the
// store recorded it for an event that does not say.
func MonthOf(e event.Recorded) string {
	at := e.Metadata.OccurredAt
	if at.IsZero() {
		at = e.RecordedAt
	}
	return calendar.Month(at)
}

// monthNumber is month YYYY-MM as the integer YYYYMM.
func monthNumber(month string) int {
	n, _ := strconv.Atoi(strings.Replace(month, "-", "", 1))
	return n
}

// Projection maintains the statistics tables. It holds amounts of money,
// so a case event it cannot apply (of an unknown type, about a case it has
// not seen opened, with a malformed payload) is an error and stops it
// there. Reference data it lacks does not stop it: a case of a standard
// never published counts under the empty budget line, one at a unit never
// established under that unit as a root of its own (see unitNumber).
type Projection struct{}

// New returns the statistics projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection. Numbers (case_no, unit_no,
// employee_no) are global positions of events — of the case's opening, of
// the unit's establishment, of the employee's first case — so they are the
// same in every rebuild; they key joins and counting, and the tables carry
// the UUIDs too. Queries group by numbers, never by text: sorting text in
// the database's collation measured three times slower.
//
// rm_stats_cases has one row per case: u0 ... u3 place its unit in the
// organisation as rm_stats_units does; month is the year and month of
// opening as the integer YYYYMM; category, standard_code and budget_line
// are also numbered in rm_stats_terms (category_no, standard_no, line_no);
// standard_version is the version the case was submitted under, 0 before
// its first submission; budget_line as the package describes; status as
// the API spells it; amounts in fen.
//
// rm_stats_case_causes has one row per cause a case names (the empty cause
// for a case naming none), the cause numbered too, with the case's
// dimensions and money copied from rm_stats_cases: grouping by cause reads
// this one table, without a join, which measured the larger cost.
//
// rm_stats_terms numbers the values of the text dimensions, by kind
// (category, standard, line, cause), in the order they first appear.
//
// rm_stats_units is the organisation flattened: for every unit, u0 ... u3
// are the unit_no of its ancestors at depths 0 (the root) to 3 and of
// itself at its own depth, 0 below it. The subtree of unit n at depth d is
// every unit with u<d> = n, and u<d+1> says which child of n it is under.
//
// rm_stats_employees numbers the employees cases are for.
//
// rm_stats_standard_lines has one row per version of every standard: the
// budget line that version charges.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_stats_cases", Create: []string{
			`CREATE TABLE {rm_stats_cases} (
				case_no          BIGINT  PRIMARY KEY,
				unit_no          BIGINT  NOT NULL,
				u0               BIGINT  NOT NULL,
				u1               BIGINT  NOT NULL,
				u2               BIGINT  NOT NULL,
				u3               BIGINT  NOT NULL,
				employee_no      BIGINT  NOT NULL,
				month            INTEGER NOT NULL,
				category_no      BIGINT  NOT NULL,
				standard_no      BIGINT  NOT NULL,
				line_no          BIGINT  NOT NULL,
				approved_fen     BIGINT  NOT NULL,
				paid_fen         BIGINT  NOT NULL,
				status           TEXT    NOT NULL,
				standard_version INTEGER NOT NULL,
				category         TEXT    NOT NULL,
				standard_code    TEXT    NOT NULL,
				budget_line      TEXT    NOT NULL,
				case_id          TEXT    NOT NULL UNIQUE,
				employee_id      TEXT    NOT NULL,
				unit_id          TEXT    NOT NULL)`,
			`CREATE INDEX {rm_stats_cases}_month ON {rm_stats_cases} (month)`,
			`CREATE INDEX {rm_stats_cases}_unit ON {rm_stats_cases} (unit_no)`,
			`CREATE INDEX {rm_stats_cases}_u1 ON {rm_stats_cases} (u1, month)`,
			`CREATE INDEX {rm_stats_cases}_u2 ON {rm_stats_cases} (u2, month)`,
		}},
		{Name: "rm_stats_case_causes", Create: []string{
			`CREATE TABLE {rm_stats_case_causes} (
				case_no      BIGINT  NOT NULL,
				cause_no     BIGINT  NOT NULL,
				unit_no      BIGINT  NOT NULL,
				u0           BIGINT  NOT NULL,
				u1           BIGINT  NOT NULL,
				u2           BIGINT  NOT NULL,
				u3           BIGINT  NOT NULL,
				employee_no  BIGINT  NOT NULL,
				month        INTEGER NOT NULL,
				category_no  BIGINT  NOT NULL,
				standard_no  BIGINT  NOT NULL,
				line_no      BIGINT  NOT NULL,
				approved_fen BIGINT  NOT NULL,
				paid_fen     BIGINT  NOT NULL,
				cause        TEXT    NOT NULL,
				PRIMARY KEY (case_no, cause_no))`,
			`CREATE INDEX {rm_stats_case_causes}_unit ON {rm_stats_case_causes} (unit_no)`,
			`CREATE INDEX {rm_stats_case_causes}_u1 ON {rm_stats_case_causes} (u1, month)`,
		}},
		{Name: "rm_stats_terms", Create: []string{
			`CREATE TABLE {rm_stats_terms} (
				term_no BIGINT PRIMARY KEY,
				kind    TEXT   NOT NULL,
				term    TEXT   NOT NULL,
				UNIQUE (kind, term))`,
		}},
		{Name: "rm_stats_units", Create: []string{
			`CREATE TABLE {rm_stats_units} (
				unit_no BIGINT  PRIMARY KEY,
				unit_id TEXT    NOT NULL UNIQUE,
				name    TEXT    NOT NULL,
				depth   INTEGER NOT NULL,
				u0      BIGINT  NOT NULL,
				u1      BIGINT  NOT NULL,
				u2      BIGINT  NOT NULL,
				u3      BIGINT  NOT NULL)`,
		}},
		{Name: "rm_stats_employees", Create: []string{
			`CREATE TABLE {rm_stats_employees} (
				employee_no BIGINT PRIMARY KEY,
				employee_id TEXT   NOT NULL UNIQUE)`,
		}},
		{Name: "rm_stats_standard_lines", Create: []string{
			`CREATE TABLE {rm_stats_standard_lines} (
				standard_code TEXT    NOT NULL,
				version       INTEGER NOT NULL,
				budget_line   TEXT    NOT NULL,
				PRIMARY KEY (standard_code, version))`,
		}},
	}
}

// Concerns implements readmodel.Selective: unit, standard and case events.
func (Projection) Concerns(e event.Recorded) bool {
	return strings.HasPrefix(e.Type, "unit.") || strings.HasPrefix(e.Type, "standard.") || strings.HasPrefix(e.Type, "case.")
}

// Apply implements readmodel.Projection.
func (Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	switch {
	case strings.HasPrefix(e.Type, "unit."):
		return applyUnit(ctx, tx, e)
	case strings.HasPrefix(e.Type, "standard."):
		return applyStandard(ctx, tx, e)
	case strings.HasPrefix(e.Type, "case."):
		return applyCase(ctx, tx, e)
	default:
		return nil
	}
}

func applyStandard(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	switch e.Type {
	case catalogue.TypeStandardPublished, catalogue.TypeStandardRevised:
		var d struct { // of the whole definition both carry, what a line needs
			Code       string `json:"code"`
			Version    int    `json:"version"`
			BudgetLine string `json:"budget_line"`
		}
		if err := event.Decode(e, &d); err != nil {
			return err
		}
		if catalogue.StandardStream(d.Code) != e.Stream || d.Version < 1 || d.BudgetLine == "" {
			return fmt.Errorf("stats: %s at position %d: standard %q version %d line %q in stream %s",
				e.Type, e.Position, d.Code, d.Version, d.BudgetLine, e.Stream)
		}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_stats_standard_lines} (standard_code, version, budget_line)
			VALUES ($1, $2, $3)`, d.Code, d.Version, d.BudgetLine)
		return wrap(e, err)
	case catalogue.TypeStandardRetired:
		return nil // cases under it keep their line
	default:
		return fmt.Errorf("stats: unknown standard event type %q at position %d", e.Type, e.Position)
	}
}

func applyCase(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	id, err := casework.ParseCaseStream(e.Stream)
	if err != nil {
		return fmt.Errorf("stats: %s at position %d: %w", e.Type, e.Position, err)
	}
	status := func(s casework.Status) error {
		v := string(s)
		changeOf(tx, e, id).status = &v
		return nil
	}
	switch e.Type {
	case casework.TypeCaseOpened:
		var p casework.CaseOpened
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		if p.CaseID != id {
			return fmt.Errorf("stats: case.opened at position %d for %s in stream %s", e.Position, p.CaseID, e.Stream)
		}
		return opened(ctx, tx, e, p)
	case casework.TypeCaseSubmitted:
		var p casework.CaseSubmitted
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return submitted(ctx, tx, e, id, p.StandardVersion)
	case casework.TypeCaseApproved:
		var p casework.CaseApproved
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		c, approved := changeOf(tx, e, id), string(casework.StatusApproved)
		c.status, c.approved = &approved, &p.AmountFen
		return nil
	case casework.TypeCasePaymentConfirmed:
		var p casework.CasePaymentConfirmed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		changeOf(tx, e, id).paid += p.AmountFen
		return nil
	case casework.TypeCasePaid:
		return status(casework.StatusPaid)
	case casework.TypeCaseReturned:
		return status(casework.StatusReturned)
	case casework.TypeCaseRejected:
		return status(casework.StatusRejected)
	case casework.TypeCaseWithdrawn:
		return status(casework.StatusWithdrawn)
	case casework.TypeCaseClosed:
		return status(casework.StatusClosed)
	case casework.TypeCaseDocumentAdded, casework.TypeCaseStepDecided, casework.TypeCaseStepReassigned,
		casework.TypeCasePaymentInstructed, casework.TypeCasePaymentFailed:
		return nil // no figure changes until the decision or the bank's confirmation
	default:
		return fmt.Errorf("stats: unknown case event type %q at position %d", e.Type, e.Position)
	}
}

// opened inserts the case's row, charged for now to the budget line of
// the standard's current version, and its causes; an employee's first
// case numbers them.
func opened(ctx context.Context, tx *readmodel.Tx, e event.Recorded, p casework.CaseOpened) error {
	// What the case refers to, in one round trip: its standard's current
	// line, its unit's place, its employee's number.
	var line sql.NullString
	var unitNo, employeeNo sql.NullInt64
	var unit placed
	err := tx.QueryRow(ctx, `SELECT
			(SELECT budget_line FROM {rm_stats_standard_lines} WHERE standard_code = $1 ORDER BY version DESC LIMIT 1),
			u.unit_no, COALESCE(u.u0, 0), COALESCE(u.u1, 0), COALESCE(u.u2, 0), COALESCE(u.u3, 0), m.employee_no
		FROM (SELECT 1 AS one) AS o
		LEFT JOIN {rm_stats_units} u ON u.unit_id = $2
		LEFT JOIN {rm_stats_employees} m ON m.employee_id = $3`,
		p.StandardCode, p.UnitID.String(), p.EmployeeID.String()).
		Scan(&line, &unitNo, &unit.levels[0], &unit.levels[1], &unit.levels[2], &unit.levels[3], &employeeNo)
	if err != nil {
		return wrap(e, err)
	}
	unit.no = unitNo.Int64
	if !unitNo.Valid {
		if unit, err = unitNumber(ctx, tx, e, p.UnitID); err != nil {
			return err
		}
	}
	if !employeeNo.Valid {
		employeeNo.Int64 = e.Position
		if _, err := tx.Exec(ctx, `INSERT INTO {rm_stats_employees} (employee_no, employee_id) VALUES ($1, $2)`,
			employeeNo.Int64, p.EmployeeID.String()); err != nil {
			return wrap(e, err)
		}
	}
	causes := []string{}
	for _, c := range p.Causes {
		if !slices.Contains(causes, c) { // the domain refuses repeats; history is fact all the same
			causes = append(causes, c)
		}
	}
	if len(causes) == 0 {
		causes = []string{""}
	}
	want := []term{{"category", p.Category}, {"standard", p.StandardCode}, {"line", line.String}}
	for _, c := range causes {
		want = append(want, term{"cause", c})
	}
	numbers, err := termNumbers(ctx, tx, e, want)
	if err != nil {
		return err
	}
	category, standard, lineNo := numbers[want[0]], numbers[want[1]], numbers[want[2]]
	month := monthNumber(MonthOf(e))
	_, err = tx.Exec(ctx, `INSERT INTO {rm_stats_cases} (case_no, unit_no, u0, u1, u2, u3, employee_no, month,
		category_no, standard_no, line_no, approved_fen, paid_fen, status, standard_version, category, standard_code,
		budget_line, case_id, employee_id, unit_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, $12, 0, $13, $14, $15, $16, $17, $18)`,
		e.Position, unit.no, unit.levels[0], unit.levels[1], unit.levels[2], unit.levels[3], employeeNo.Int64, month,
		category, standard, lineNo, string(casework.StatusDraft),
		p.Category, p.StandardCode, line.String, p.CaseID.String(), p.EmployeeID.String(), p.UnitID.String())
	if err != nil {
		return wrap(e, err)
	}
	args := []any{e.Position, unit.no, unit.levels[0], unit.levels[1], unit.levels[2], unit.levels[3], employeeNo.Int64,
		month, category, standard, lineNo}
	values := make([]string, len(causes))
	for i, c := range causes {
		args = append(args, numbers[term{"cause", c}], c)
		values[i] = fmt.Sprintf("($1, $%d, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, $%d)", len(args)-1, len(args))
	}
	_, err = tx.Exec(ctx, `INSERT INTO {rm_stats_case_causes} (case_no, cause_no, unit_no, u0, u1, u2, u3,
		employee_no, month, category_no, standard_no, line_no, approved_fen, paid_fen, cause) VALUES `+strings.Join(values, ", "), args...)
	return wrap(e, err)
}

// term is a value of a text dimension: kind is category, standard, line
// or cause.
type term struct{ kind, term string }

// termNumbers returns the numbers of terms, numbering the new ones.
func termNumbers(ctx context.Context, tx *readmodel.Tx, e event.Recorded, terms []term) (map[term]int64, error) {
	var args []any
	var or []string
	for _, t := range terms {
		args = append(args, t.kind, t.term)
		or = append(or, fmt.Sprintf("(kind = $%d AND term = $%d)", len(args)-1, len(args)))
	}
	rows, err := tx.Query(ctx, "SELECT kind, term, term_no FROM {rm_stats_terms} WHERE "+strings.Join(or, " OR "), args...)
	if err != nil {
		return nil, wrap(e, err)
	}
	out := map[term]int64{}
	for rows.Next() {
		var t term
		var no int64
		if err := rows.Scan(&t.kind, &t.term, &no); err != nil {
			rows.Close()
			return nil, wrap(e, err)
		}
		out[t] = no
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, wrap(e, err)
	}
	for _, t := range terms {
		if _, ok := out[t]; !ok {
			if out[t], err = termNumber(ctx, tx, e, t.kind, t.term); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// termNumber returns the number of term of kind, numbering it next when
// it is new: rebuilds apply the same events in the same order, so they
// number alike.
func termNumber(ctx context.Context, tx *readmodel.Tx, e event.Recorded, kind, term string) (int64, error) {
	var no int64
	err := tx.QueryRow(ctx, `SELECT term_no FROM {rm_stats_terms} WHERE kind = $1 AND term = $2`, kind, term).Scan(&no)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.Exec(ctx, `INSERT INTO {rm_stats_terms} (term_no, kind, term)
			SELECT COALESCE(MAX(term_no), 0) + 1, $1, $2 FROM {rm_stats_terms}`, kind, term); err != nil {
			return 0, wrap(e, err)
		}
		err = tx.QueryRow(ctx, `SELECT term_no FROM {rm_stats_terms} WHERE kind = $1 AND term = $2`, kind, term).Scan(&no)
	}
	return no, wrap(e, err)
}

// submitted fixes the case's standard version and so its budget line.
func submitted(ctx context.Context, tx *readmodel.Tx, e event.Recorded, id uuid.UUID, version int) error {
	var line sql.NullString
	var lineNo sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT l.budget_line, t.term_no FROM {rm_stats_cases} f
		LEFT JOIN {rm_stats_standard_lines} l ON l.standard_code = f.standard_code AND l.version = $2
		LEFT JOIN {rm_stats_terms} t ON t.kind = 'line' AND t.term = COALESCE(l.budget_line, '')
		WHERE f.case_id = $1`, id.String(), version).Scan(&line, &lineNo)
	if err != nil {
		return fmt.Errorf("stats: case.submitted at position %d: case %s not opened: %w", e.Position, id, err)
	}
	if !lineNo.Valid {
		if lineNo.Int64, err = termNumber(ctx, tx, e, "line", line.String); err != nil {
			return err
		}
	}
	c, inReview := changeOf(tx, e, id), string(casework.StatusInReview)
	c.status, c.version, c.line, c.lineNo = &inReview, &version, &line.String, &lineNo.Int64
	return nil
}

func wrap(e event.Recorded, err error) error {
	if err != nil {
		return fmt.Errorf("stats: %s at position %d: %w", e.Type, e.Position, err)
	}
	return nil
}
