package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
)

// Budgets (F11): the money a unit may spend on aid, one budget per unit,
// year and budget line.

type allocateBudgetRequest struct {
	UnitID    string `json:"unit_id"`
	Year      int    `json:"year"`
	Line      string `json:"line"`
	AmountFen int64  `json:"amount_fen"`
}

// allocateBudget: POST /v1/budgets. A second budget for the same unit,
// year and line is 409 conflict.
func (a *api) allocateBudget(w http.ResponseWriter, r *http.Request) error {
	return postNew(w, r, "/v1/budgets", func(ctx context.Context, actor commands.Actor, req allocateBudgetRequest) (uuid.UUID, commands.Written, error) {
		unit, err := parseID("unit_id", req.UnitID)
		if err != nil {
			return uuid.Nil, commands.Written{}, err
		}
		return a.deps.App.AllocateBudget(ctx, actor, commands.AllocateBudget{UnitID: unit, Year: req.Year, Line: req.Line, AmountFen: req.AmountFen})
	})
}

type increaseBudgetRequest struct {
	AmountFen int64  `json:"amount_fen"`
	Reason    string `json:"reason"`
}

// increaseBudget: POST /v1/budgets/{id}/increase, more money for the year.
func (a *api) increaseBudget(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[increaseBudgetRequest]) (commands.Written, error) {
		return a.deps.App.IncreaseBudget(ctx, actor, commands.IncreaseBudget{BudgetID: c.ID, AmountFen: c.Body.AmountFen, Reason: c.Body.Reason, IfMatch: c.IfMatch})
	})
}

// budgetResponse is a budget of GET /v1/budgets/{id}: its list item and
// its version.
type budgetResponse struct {
	budgetListItem
	Version int64 `json:"version"`
}

// getBudget: GET /v1/budgets/{id}, to holders of budgets.manage, audit.read
// or stats.read at the budget's unit.
func (a *api) getBudget(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, a.deps.Query.GetBudgetAsOf, func(v query.BudgetView) (int64, any) { return v.Version, budgetFrom(v) })
}

func budgetFrom(v query.BudgetView) budgetResponse {
	return budgetResponse{budgetListItem: budgetListItem{
		ID: v.ID.String(), UnitID: v.UnitID.String(), Year: v.Year, Line: v.Line,
		AllocatedFen: v.Allocated, ReservedFen: v.Reserved, SpentFen: v.Spent, AvailableFen: v.Available,
	}, Version: v.Version}
}
