package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"aidtrail/commands/query"
	"aidtrail/domain/payment"
)

// profileHeaders are the Chinese column headers of a downloaded profile,
// per dimension and figure.
var profileHeaders = map[string]string{
	"unit": "单位", "level": "困难等级", "cause": "致困原因", "age_band": "年龄段", "income_band": "收入水平",
	"household_size": "家庭人口", "dependants": "无收入人口", "month": "入库月份", "status": "状态",
	"employees": "人数", "cases": "救助件数", "approved_fen": "批准金额（元）", "paid_fen": "发放金额（元）",
}

// getProfile: GET /v1/profile?group_by&unit_id&status&format, the
// profile of hardship (精准画像): register and case figures grouped by
// group_by (comma-separated, of query.ProfileDimensions), within the
// caller's subtrees. It names no one. format csv or xlsx downloads it
// under Chinese headers, amounts in yuan.
func (a *api) getProfile(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	req := query.ProfileRequest{Under: q.id("unit_id"), Status: q.str("status")}
	if s := q.str("group_by"); s != "" {
		req.GroupBy = strings.Split(s, ",")
		for i, d := range req.GroupBy {
			if !slices.Contains(query.ProfileDimensions(), d) || slices.Contains(req.GroupBy[:i], d) {
				q.fail("group_by", "must be distinct dimensions of "+strings.Join(query.ProfileDimensions(), ", "))
				break
			}
		}
	}
	if req.Status != "" && req.Status != "active" && req.Status != "exited" {
		q.fail("status", "must be active or exited")
	}
	format := q.str("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		q.fail("format", "must be json, csv or xlsx")
	}
	if err := a.ready(r, q); err != nil {
		return err
	}
	rows, err := a.deps.Query.Profile(r.Context(), callerOf(r).actor, req)
	if err != nil {
		return err
	}
	switch format {
	case "csv", "xlsx":
		return writeProfile(w, format, req.GroupBy, rows)
	}
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		m := map[string]any{"employees": row.Employees, "cases": row.Cases, "approved_fen": row.ApprovedFen, "paid_fen": row.PaidFen}
		for d, v := range row.Dimensions {
			m[d] = v
		}
		out[i] = m
	}
	writeJSON(w, http.StatusOK, map[string]any{"rows": out})
	return nil
}

// writeProfile downloads the profile as CSV or a one-sheet workbook
// (writeTable), under Chinese headers.
func writeProfile(w http.ResponseWriter, format string, dims []string, rows []query.ProfileRow) error {
	cols := append(slices.Clone(dims), "employees", "cases", "approved_fen", "paid_fen")
	table := [][]string{make([]string, len(cols))}
	for i, c := range cols {
		table[0][i] = profileHeaders[c]
	}
	for _, row := range rows {
		cells := make([]string, 0, len(cols))
		for _, d := range dims {
			cells = append(cells, payment.Defuse(row.Dimensions[d]))
		}
		cells = append(cells, fmt.Sprint(row.Employees), fmt.Sprint(row.Cases), yuan(row.ApprovedFen), yuan(row.PaidFen))
		table = append(table, cells)
	}
	return writeTable(w, format, "profile", table)
}
