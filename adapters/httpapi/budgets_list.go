package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/budget"
)

// budgetListItem is one budget of GET /v1/budgets.
type budgetListItem struct {
	ID           string `json:"id"`
	UnitID       string `json:"unit_id"`
	Year         int    `json:"year"`
	Line         string `json:"line"`
	AllocatedFen int64  `json:"allocated_fen"`
	ReservedFen  int64  `json:"reserved_fen"`
	SpentFen     int64  `json:"spent_fen"`
	AvailableFen int64  `json:"available_fen"`
}

// listBudgets: GET /v1/budgets?unit_id&year&line&cursor&limit, the
// budgets of the units in the caller's subtrees where they hold
// budgets.manage, audit.read or stats.read, in the order allocated, from
// the budgets read model. unit_id is one unit's own budgets, not those of
// the units below it: each is separate money.
func (a *api) listBudgets(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.BudgetFilter{Line: q.str("line"), Page: q.page()}
	unit := q.id("unit_id")
	if s := q.str("year"); s != "" {
		year, err := strconv.Atoi(s)
		if err != nil || year < budget.MinYear || year > budget.MaxYear {
			q.fail("year", fmt.Sprintf("must be a year from %d to %d", budget.MinYear, budget.MaxYear))
		}
		f.Year = year
	}
	if f.Line != "" && !validBudgetLine(f.Line) {
		q.fail("line", fmt.Sprintf("must be 1 to %d of a-z, 0-9, _, . and -", budget.MaxLineLen))
	}
	if unit != uuid.Nil {
		f.UnitIDs = []uuid.UUID{unit}
	}
	return listPage(a, w, r, q, f, a.deps.Query.Budgets, func(b query.BudgetRow) budgetListItem {
		return budgetListItem{ID: b.BudgetID.String(), UnitID: b.UnitID.String(), Year: b.Year, Line: b.Line,
			AllocatedFen: b.AllocatedFen, ReservedFen: b.ReservedFen, SpentFen: b.SpentFen, AvailableFen: b.AvailableFen}
	})
}

// validBudgetLine reports whether line could name a budget line.
func validBudgetLine(line string) bool {
	if len(line) > budget.MaxLineLen {
		return false
	}
	for _, c := range []byte(line) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}
