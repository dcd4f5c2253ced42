package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"aidtrail/commands/query"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/payment"
	"aidtrail/domain/whatif"
)

// What-if analysis (B2): a draft version of a standard replayed over the
// cases decided under it.

// analysisRoutes are the analyses of history.
func (a *api) analysisRoutes() []route {
	return []route{{http.MethodPost, "/v1/analysis/what-if", authenticated, a.whatIf}}
}

// whatIfRequest is the body of POST /v1/analysis/what-if. draft is read
// by whatif.DecodeDraft, so that its errors name the member at fault.
type whatIfRequest struct {
	StandardCode string          `json:"standard_code"`
	Draft        json.RawMessage `json:"draft"`
	From         string          `json:"from"`
	To           string          `json:"to"`
	UnitID       *string         `json:"unit_id"`
}

// parse turns the body into the query's request, refusing a missing or
// malformed draft or unit_id and the request's own malformed fields.
func (req whatIfRequest) parse() (query.WhatIfRequest, error) {
	out := query.WhatIfRequest{StandardCode: req.StandardCode, From: req.From, To: req.To}
	if err := out.Validate(); err != nil {
		return out, err
	}
	if len(req.Draft) == 0 {
		return out, &fieldError{Field: "draft", Reason: "is required; {} replays the current version"}
	}
	draft, err := whatif.DecodeDraft(req.Draft)
	if err != nil {
		return out, err
	}
	out.Draft = draft
	unit, err := optionalID("unit_id", req.UnitID)
	if err != nil {
		return out, err
	}
	if unit != nil {
		out.UnitID = *unit
	}
	return out, nil
}

// whatIf: POST /v1/analysis/what-if[?format=csv|xlsx], the draft of a
// standard replayed over the cases decided under it in the period, within
// the subtree of unit_id; format downloads the rows.
func (a *api) whatIf(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	format := q.str("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		q.fail("format", "must be json, csv or xlsx")
	}
	if q.err != nil {
		return q.err
	}
	var body whatIfRequest
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	req, err := body.parse()
	if err != nil {
		return err
	}
	rep, err := a.deps.Query.WhatIf(r.Context(), callerOf(r).actor, req)
	if err != nil {
		return err
	}
	switch format {
	case "csv", "xlsx":
		return writeTable(w, format, "what-if-"+req.StandardCode, whatIfTable(rep))
	}
	writeJSON(w, http.StatusOK, whatIfJSON(rep))
	return nil
}

// whatIfResponse is the answer of POST /v1/analysis/what-if.
type whatIfResponse struct {
	AnalysisID   string               `json:"analysis_id"`
	Position     int64                `json:"position"`
	StandardCode string               `json:"standard_code"`
	BaseVersion  int                  `json:"base_version"`
	Draft        catalogue.Definition `json:"draft"`
	From         string               `json:"from"`
	To           string               `json:"to"`
	UnitID       *string              `json:"unit_id"`
	whatIfSumsJSON
	Rows   []whatIfRowJSON   `json:"rows"`
	Totals []whatIfTotalJSON `json:"totals"`
}

// whatIfSumsJSON is query.WhatIfSums, with the delta, as a report and
// each of its totals carry it.
type whatIfSumsJSON struct {
	Cases            int   `json:"cases"`
	CurrentFen       int64 `json:"current_fen"`
	DraftFen         int64 `json:"draft_fen"`
	DeltaFen         int64 `json:"delta_fen"`
	NewlyEligible    int   `json:"newly_eligible"`
	NoLongerEligible int   `json:"no_longer_eligible"`
}

func sumsJSON(s query.WhatIfSums) whatIfSumsJSON {
	return whatIfSumsJSON{Cases: s.Cases, CurrentFen: s.CurrentFen, DraftFen: s.DraftFen, DeltaFen: s.DeltaFen(),
		NewlyEligible: s.NewlyEligible, NoLongerEligible: s.NoLongerEligible}
}

// whatIfRowJSON is one case; case_id, employee_id and decided_at are left
// out for those who may not read employees.
type whatIfRowJSON struct {
	CaseID          string     `json:"case_id,omitempty"`
	EmployeeID      string     `json:"employee_id,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	UnitID          string     `json:"unit_id"`
	UnitName        string     `json:"unit_name"`
	Month           string     `json:"month"`
	Outcome         string     `json:"outcome"`
	StandardVersion int        `json:"standard_version"`
	BudgetLine      string     `json:"budget_line"`
	DraftBudgetLine string     `json:"draft_budget_line"`
	RequestedFen    int64      `json:"requested_fen"`
	CurrentFen      int64      `json:"current_fen"`
	CurrentLimitFen int64      `json:"current_limit_fen"`
	DraftLimitFen   int64      `json:"draft_limit_fen"`
	DraftFen        int64      `json:"draft_fen"`
	DeltaFen        int64      `json:"delta_fen"`
	EligibleBefore  bool       `json:"eligible_before"`
	EligibleAfter   bool       `json:"eligible_after"`
	DraftRefusal    string     `json:"draft_refusal,omitempty"`
}

type whatIfTotalJSON struct {
	UnitID     string `json:"unit_id"`
	UnitName   string `json:"unit_name"`
	Month      string `json:"month"`
	BudgetLine string `json:"budget_line"`
	whatIfSumsJSON
}

func whatIfJSON(rep query.WhatIfReport) whatIfResponse {
	out := whatIfResponse{AnalysisID: rep.AnalysisID.String(), Position: rep.Position, StandardCode: rep.StandardCode,
		BaseVersion: rep.BaseVersion, Draft: rep.Draft, From: rep.From, To: rep.To, whatIfSumsJSON: sumsJSON(rep.WhatIfSums),
		Rows: make([]whatIfRowJSON, len(rep.Rows)), Totals: make([]whatIfTotalJSON, len(rep.Totals))}
	if rep.UnitID != uuid.Nil {
		s := rep.UnitID.String()
		out.UnitID = &s
	}
	for i, row := range rep.Rows {
		j := whatIfRowJSON{UnitID: row.UnitID.String(), UnitName: row.UnitName, Month: row.Month,
			Outcome: string(row.Kind), StandardVersion: row.Version, BudgetLine: row.BudgetLine,
			DraftBudgetLine: row.DraftBudgetLine, RequestedFen: row.RequestedFen, CurrentFen: row.CurrentFen,
			CurrentLimitFen: row.CurrentLimitFen, DraftLimitFen: row.DraftLimitFen, DraftFen: row.DraftFen,
			DeltaFen: row.DeltaFen(), EligibleBefore: row.EligibleBefore, EligibleAfter: row.EligibleAfter,
			DraftRefusal: row.DraftRefusal}
		if !rep.Masked {
			at := row.DecidedAt.UTC()
			j.CaseID, j.EmployeeID, j.DecidedAt = row.CaseID.String(), row.EmployeeID.String(), &at
		}
		out.Rows[i] = j
	}
	for i, t := range rep.Totals {
		out.Totals[i] = whatIfTotalJSON{UnitID: t.UnitID.String(), UnitName: t.UnitName, Month: t.Month,
			BudgetLine: t.BudgetLine, whatIfSumsJSON: sumsJSON(t.WhatIfSums)}
	}
	return out
}

// whatIfTable is the rows of an analysis under Chinese headers, amounts
// in yuan; the case and employee columns only when the report names them.
func whatIfTable(rep query.WhatIfReport) [][]string {
	header := []string{"单位", "月份", "结果", "标准版本", "经费口径", "草案经费口径", "申请金额（元）", "原批准（元）",
		"原上限（元）", "草案上限（元）", "草案批准（元）", "差额（元）", "原可获助", "草案可获助", "草案不予原因"}
	if !rep.Masked {
		header = append([]string{"案件", "职工"}, header...)
	}
	yes := map[bool]string{true: "是", false: "否"}
	table := [][]string{header}
	for _, row := range rep.Rows {
		cells := []string{payment.Defuse(row.UnitName), row.Month, string(row.Kind), fmt.Sprint(row.Version),
			row.BudgetLine, row.DraftBudgetLine, yuan(row.RequestedFen), yuan(row.CurrentFen), yuan(row.CurrentLimitFen),
			yuan(row.DraftLimitFen), yuan(row.DraftFen), yuan(row.DeltaFen()), yes[row.EligibleBefore],
			yes[row.EligibleAfter], row.DraftRefusal}
		if !rep.Masked {
			cells = append([]string{row.CaseID.String(), row.EmployeeID.String()}, cells...)
		}
		table = append(table, cells)
	}
	return table
}

// WriteWhatIf writes an analysis as the route answers it: format "json"
// (or "") the whole answer, "csv" or "xlsx" its rows under Chinese
// headers (whatIfTable). The command line writes its reports with it, so
// that they and the route's downloads are the same bytes.
func WriteWhatIf(w io.Writer, format string, rep query.WhatIfReport) error {
	switch format {
	case "", "json":
		body, err := json.Marshal(whatIfJSON(rep))
		if err != nil {
			return err
		}
		_, err = w.Write(append(body, '\n'))
		return err
	case "csv":
		return writeCSV(w, whatIfTable(rep))
	case "xlsx":
		f, err := workbook(whatIfTable(rep))
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Write(w)
	}
	return fmt.Errorf("what-if: format %q: want json, csv or xlsx", format)
}

// writeTable downloads a table of text cells, its first row the header,
// as CSV or as a workbook of one sheet, named name.csv or name.xlsx.
func writeTable(w http.ResponseWriter, format, name string, table [][]string) error {
	if format == "csv" {
		w.Header().Set("Content-Type", contentTypeCSV)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		return writeCSV(w, table)
	}
	f, err := workbook(table)
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", contentTypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	return f.Write(w)
}

// writeCSV writes a table as CSV.
func writeCSV(w io.Writer, table [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(table); err != nil {
		return err
	}
	return cw.Error()
}

// workbook is a table as a workbook of one sheet, every cell text; the
// caller closes it.
func workbook(table [][]string) (*excelize.File, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	for i, cells := range table {
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err == nil {
			err = sw.SetRow(cell, row)
		}
		if err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}
