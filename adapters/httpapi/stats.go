package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"aidtrail/projections/stats"
)

// statsKeys are the JSON members a row of GET /v1/stats names each
// dimension's value by.
var statsKeys = map[stats.Dimension]string{
	stats.DimUnit: "unit_id", stats.DimCategory: "category", stats.DimCause: "cause",
	stats.DimStandard: "standard_code", stats.DimLine: "budget_line", stats.DimMonth: "month",
}

// getStats: GET /v1/stats?dimensions=unit,category,cause,standard,line,month&from&to&unit_id,
// figures from the statistics read model within the subtree of unit_id
// (default: the unit where the caller reads statistics). Each row carries
// the values of the dimensions asked for — grouped by unit, unit_id is a
// child of the scope rolled up with its subtree, or the scope itself for
// cases filed there, with unit_name — and cases, employees (distinct),
// approved_fen and paid_fen. from and to are months YYYY-MM of opening,
// both inclusive.
func (a *api) getStats(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	req := stats.Request{From: q.str("from"), To: q.str("to")}
	if dims := q.str("dimensions"); dims != "" {
		for _, name := range strings.Split(dims, ",") {
			d, err := stats.ParseDimension(strings.TrimSpace(name))
			if err != nil {
				return statsFieldError(err)
			}
			req.Dimensions = append(req.Dimensions, d)
		}
	}
	unitID := q.id("unit_id")
	if q.err != nil {
		return q.err
	}
	if err := req.Validate(); err != nil {
		return statsFieldError(err)
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	scope, err := a.deps.App.StatsScope(r.Context(), callerOf(r).actor, unitID)
	if err != nil {
		return err
	}
	req.Scope = scope
	rows, err := stats.Query(r.Context(), a.deps.ReadDB, req)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(rows))
	for i, row := range rows {
		item := map[string]any{"cases": row.Cases, "employees": row.Employees,
			"approved_fen": row.ApprovedFen, "paid_fen": row.PaidFen}
		for _, d := range req.Dimensions {
			switch d {
			case stats.DimUnit:
				item["unit_id"], item["unit_name"] = row.UnitID.String(), row.UnitName
			case stats.DimCategory:
				item[statsKeys[d]] = row.Category
			case stats.DimCause:
				item[statsKeys[d]] = row.Cause
			case stats.DimStandard:
				item[statsKeys[d]] = row.StandardCode
			case stats.DimLine:
				item[statsKeys[d]] = row.BudgetLine
			case stats.DimMonth:
				item[statsKeys[d]] = row.Month
			}
		}
		items[i] = item
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"rows": items})
	return nil
}

// statsFieldError turns a malformed statistics request into a 400 naming
// the parameter.
func statsFieldError(err error) error {
	var qe *stats.QueryError
	if errors.As(err, &qe) {
		return &fieldError{Field: qe.Field, Reason: qe.Reason}
	}
	return err
}
