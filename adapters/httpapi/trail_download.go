package httpapi

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/xuri/excelize/v2"

	"aidtrail/commands/query"
	"aidtrail/domain/calendar"
	"aidtrail/domain/payment"
)

// A trail downloads whole for auditors' tools (?format=csv|xlsx): one
// row per entry under Chinese column headers, amounts in yuan with two
// decimals, times in the reporting zone. Text a spreadsheet would take
// for a formula is defused.

// trailHeaders are the downloaded trail's columns.
var trailHeaders = []string{"全局位置", "事件流", "事件类型", "发生时间", "记录时间", "操作人账户", "操作人", "岗位", "单位",
	"金额（元）", "文件SHA-256", "叶哈希", "已分配（元）", "已预留（元）", "已支出（元）", "可用（元）"}

const (
	contentTypeCSV  = "text/csv; charset=utf-8"
	contentTypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	timeInZone      = "2006-01-02 15:04:05"
)

// yuan renders fen as yuan with two decimals.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// trailCells renders one entry as the download's text cells.
func trailCells(r query.TrailRow) []string {
	amount := ""
	if r.AmountFen != nil {
		amount = yuan(*r.AmountFen)
	}
	var allocated, reserved, spent, available string
	if b := r.Budget; b != nil {
		allocated, reserved, spent, available = yuan(b.AllocatedFen), yuan(b.ReservedFen), yuan(b.SpentFen), yuan(b.AvailableFen)
	}
	cells := []string{fmt.Sprint(r.Position), r.Stream, r.Type,
		r.OccurredAt.In(calendar.Zone).Format(timeInZone), r.RecordedAt.In(calendar.Zone).Format(timeInZone),
		r.Actor.AccountID, r.Actor.Name, r.Actor.PositionID, r.Actor.UnitID, amount, strings.Join(r.Documents, " "), r.LeafHash,
		allocated, reserved, spent, available}
	for i, c := range cells {
		cells[i] = payment.Defuse(c)
	}
	return cells
}

// writeTrailCSV answers the trail as CSV.
func writeTrailCSV(w http.ResponseWriter, name string, rows []query.TrailRow) error {
	w.Header().Set("Content-Type", contentTypeCSV)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	cw := csv.NewWriter(w)
	if err := cw.Write(trailHeaders); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(trailCells(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeTrailXLSX answers the trail as a workbook with one sheet, named
// after the subject, whose amounts are numbers shown with two decimals.
func writeTrailXLSX(w http.ResponseWriter, name, sheet string, rows []query.TrailRow) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(trailHeaders))
	for i, h := range trailHeaders {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	numeric := map[int]func(query.TrailRow) *int64{
		9: func(r query.TrailRow) *int64 { return r.AmountFen },
		12: func(r query.TrailRow) *int64 {
			return budgetField(r, func(b *query.BudgetFigures) int64 { return b.AllocatedFen })
		},
		13: func(r query.TrailRow) *int64 {
			return budgetField(r, func(b *query.BudgetFigures) int64 { return b.ReservedFen })
		},
		14: func(r query.TrailRow) *int64 {
			return budgetField(r, func(b *query.BudgetFigures) int64 { return b.SpentFen })
		},
		15: func(r query.TrailRow) *int64 {
			return budgetField(r, func(b *query.BudgetFigures) int64 { return b.AvailableFen })
		},
	}
	for i, r := range rows {
		text := trailCells(r)
		row := make([]any, len(text))
		for j, c := range text {
			row[j] = c
			if fen, ok := numeric[j]; ok {
				if v := fen(r); v != nil {
					row[j] = excelize.Cell{StyleID: money, Value: float64(*v) / 100}
				} else {
					row[j] = nil
				}
			}
		}
		row[0] = r.Position
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentTypeXLSX)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	_, err = f.WriteTo(w)
	return err
}

func budgetField(r query.TrailRow, field func(*query.BudgetFigures) int64) *int64 {
	if r.Budget == nil {
		return nil
	}
	v := field(r.Budget)
	return &v
}
