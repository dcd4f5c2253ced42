package httpapi

import (
	"context"
	"net/http"

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
	var req allocateBudgetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	unit, err := parseID("unit_id", req.UnitID)
	if err != nil {
		return err
	}
	id, written, err := a.deps.App.AllocateBudget(r.Context(), callerOf(r).actor, commands.AllocateBudget{UnitID: unit, Year: req.Year, Line: req.Line, AmountFen: req.AmountFen})
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/budgets/"+id.String(), createdResponse{ID: id.String(), Position: written.Position})
	return nil
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

type budgetResponse struct {
	ID           string `json:"id"`
	UnitID       string `json:"unit_id"`
	Year         int    `json:"year"`
	Line         string `json:"line"`
	AllocatedFen int64  `json:"allocated_fen"`
	ReservedFen  int64  `json:"reserved_fen"`
	SpentFen     int64  `json:"spent_fen"`
	AvailableFen int64  `json:"available_fen"`
	Version      int64  `json:"version"`
}

// getBudget: GET /v1/budgets/{id}, to holders of budgets.manage, audit.read
// or stats.read at the budget's unit.
func (a *api) getBudget(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, a.deps.Query.GetBudgetAsOf, func(v query.BudgetView) (int64, any) { return v.Version, budgetFrom(v) })
}

func budgetFrom(v query.BudgetView) budgetResponse {
	return budgetResponse{
		ID: v.ID.String(), UnitID: v.UnitID.String(), Year: v.Year, Line: v.Line,
		AllocatedFen: v.Allocated, ReservedFen: v.Reserved, SpentFen: v.Spent, AvailableFen: v.Available, Version: v.Version,
	}
}
