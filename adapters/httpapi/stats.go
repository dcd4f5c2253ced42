package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"aidtrail/commands/query"
)

// statsKeys are the JSON members a row of GET /v1/stats names each
// dimension's value by.
var statsKeys = map[query.Dimension]string{
	query.DimUnit: "unit_id", query.DimCategory: "category", query.DimCause: "cause",
	query.DimStandard: "standard_code", query.DimLine: "budget_line", query.DimMonth: "month",
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
	req := query.StatsRequest{From: q.str("from"), To: q.str("to")}
	if dims := q.str("dimensions"); dims != "" {
		for _, name := range strings.Split(dims, ",") {
			d, err := query.ParseDimension(strings.TrimSpace(name))
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
	rows, err := a.deps.Query.Stats(r.Context(), callerOf(r).actor, unitID, req)
	if err != nil {
		return err
	}
	items := make([]map[string]any, len(rows))
	for i, row := range rows {
		item := map[string]any{"cases": row.Cases, "employees": row.Employees,
			"approved_fen": row.ApprovedFen, "paid_fen": row.PaidFen,
			"visits": row.Visits, "visited_employees": row.VisitedEmployees, "visit_fen": row.VisitFen}
		for _, d := range req.Dimensions {
			switch d {
			case query.DimUnit:
				item["unit_id"], item["unit_name"] = row.UnitID.String(), row.UnitName
			case query.DimCategory:
				item[statsKeys[d]] = row.Category
			case query.DimCause:
				item[statsKeys[d]] = row.Cause
			case query.DimStandard:
				item[statsKeys[d]] = row.StandardCode
			case query.DimLine:
				item[statsKeys[d]] = row.BudgetLine
			case query.DimMonth:
				item[statsKeys[d]] = row.Month
			}
		}
		items[i] = item
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": items})
	return nil
}

// statsFieldError turns a malformed statistics request into a 400 naming
// the parameter.
func statsFieldError(err error) error {
	var qe *query.StatsError
	if errors.As(err, &qe) {
		return &fieldError{Field: qe.Field, Reason: qe.Reason}
	}
	return err
}
