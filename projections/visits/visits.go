// Package visits keeps rm_visits, the list of condolence visits (F15):
// one row per visit as its corrections leave it, for lists by unit
// subtree, employee and occasion with cursor paging. It holds no personal
// data: employees and visitors are ids, goods say what was given.
package visits

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/domain/visit"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name; its router handler is
// ProjectVisitsOnEvents.
const Name = "visits"

// Projection maintains rm_visits from the visits' streams. It holds
// money, so an event of a visit stream it cannot apply (of an unknown
// type, about a visit it has not seen registered, malformed) stops it
// there.
type Projection struct{}

// New returns the visits projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection: rm_visits, one row per visit.
// employee_ids and visitors are ids joined by commas, goods the JSON
// array of {description, value_fen}; employees counts the employees
// visited; total_fen is what the visit cost (cash for each employee and
// the goods), which its budget was charged; corrections counts the
// corrections; month is the year and month of visited_on as the integer
// YYYYMM and budget_line the line of the budget charged, for statistics;
// registered_position is the position of visit.registered and orders
// lists, updated_position that of the last event applied.
//
// rm_visit_budgets remembers every budget's line, from budget.allocated.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{{Name: "rm_visit_budgets", Create: []string{
		`CREATE TABLE {rm_visit_budgets} (budget_id TEXT PRIMARY KEY, line TEXT NOT NULL)`,
	}}, {Name: "rm_visits", Create: []string{
		`CREATE TABLE {rm_visits} (
			visit_id            TEXT    PRIMARY KEY,
			unit_id             TEXT    NOT NULL,
			budget_id           TEXT    NOT NULL,
			occasion            TEXT    NOT NULL,
			visited_on          TEXT    NOT NULL,
			employees           INTEGER NOT NULL,
			employee_ids        TEXT    NOT NULL,
			cash_fen_each       BIGINT  NOT NULL,
			goods               TEXT    NOT NULL,
			visitors            TEXT    NOT NULL,
			total_fen           BIGINT  NOT NULL,
			corrections         INTEGER NOT NULL,
			month               INTEGER NOT NULL,
			budget_line         TEXT    NOT NULL,
			registered_position BIGINT  NOT NULL UNIQUE,
			updated_position    BIGINT  NOT NULL)`,
		`CREATE INDEX {rm_visits}_unit ON {rm_visits} (unit_id, registered_position)`,
	}}}
}

// Concerns implements readmodel.Selective: every event of a visit stream,
// any visit event elsewhere (which it refuses), and budgets' allocations.
func (Projection) Concerns(e event.Recorded) bool {
	return strings.HasPrefix(e.Stream, "visit-") || strings.HasPrefix(e.Type, "visit.") || e.Type == budget.TypeAllocated
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	if e.Type == budget.TypeAllocated {
		var b budget.Allocated
		if err := event.Decode(e, &b); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_visit_budgets} (budget_id, line) VALUES ($1, $2)`, b.BudgetID.String(), b.Line)
		return err
	}
	id, err := visit.ParseStream(e.Stream)
	if err != nil {
		return fmt.Errorf("visits: %s at position %d: %w", e.Type, e.Position, err)
	}
	switch e.Type {
	case visit.TypeRegistered:
		var v visit.Registered
		if err := event.Decode(e, &v); err != nil {
			return err
		}
		if v.VisitID != id {
			return fmt.Errorf("visits: visit.registered for %s in stream %s", v.VisitID, e.Stream)
		}
		c, err := columnsOf(v.Details)
		if err != nil {
			return err
		}
		// A budget the projection has not seen allocated (a history
		// written past the service) gives the empty line.
		_, err = tx.Exec(ctx, `INSERT INTO {rm_visits} (visit_id, unit_id, budget_id, occasion, visited_on, employees,
			employee_ids, cash_fen_each, goods, visitors, total_fen, corrections, month, budget_line,
			registered_position, updated_position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12,
				COALESCE((SELECT line FROM {rm_visit_budgets} WHERE budget_id = $3), ''), $13, $13)`,
			id.String(), v.UnitID.String(), v.BudgetID.String(), v.Occasion, v.VisitedOn, len(v.EmployeeIDs),
			c.employees, v.CashFenEach, c.goods, c.visitors, v.TotalFen, monthOf(v.VisitedOn), e.Position)
		if err != nil {
			return fmt.Errorf("visits: register %s: %w", id, err)
		}
		return nil
	case visit.TypeCorrected:
		var v visit.Corrected
		if err := event.Decode(e, &v); err != nil {
			return err
		}
		c, err := columnsOf(v.Details)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE {rm_visits} SET occasion = $2, visited_on = $3, employees = $4, employee_ids = $5,
			cash_fen_each = $6, goods = $7, visitors = $8, total_fen = $9, corrections = corrections + 1,
			month = $10, updated_position = $11 WHERE visit_id = $1`,
			id.String(), v.Occasion, v.VisitedOn, len(v.EmployeeIDs), c.employees, v.CashFenEach, c.goods, c.visitors,
			v.TotalFen, monthOf(v.VisitedOn), e.Position)
		if err != nil {
			return fmt.Errorf("visits: correct %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("visits: visit.corrected at position %d: visit %s not registered (%d rows, %v)", e.Position, id, n, err)
		}
		return nil
	default:
		return fmt.Errorf("visits: unknown visit event type %q at position %d", e.Type, e.Position)
	}
}

// columns are a visit's lists as rm_visits stores them.
type columns struct{ employees, goods, visitors string }

func columnsOf(d visit.Details) (columns, error) {
	goods, err := json.Marshal(nonNil(d.Goods))
	if err != nil {
		return columns{}, err
	}
	return columns{employees: joinIDs(d.EmployeeIDs), goods: string(goods), visitors: joinIDs(d.Visitors)}, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// monthOf is the month of a day YYYY-MM-DD as the integer YYYYMM, 0 for
// what is not such a day.
func monthOf(day string) int {
	if len(day) < 7 {
		return 0
	}
	n, _ := strconv.Atoi(day[:4] + day[5:7])
	return n
}

func joinIDs(ids []uuid.UUID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ",")
}
