package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// hrExportCSV is the CSV twin of the workbook hrExport builds.
const hrExportCSV = "employee_id,kind,subject,occurred_on,details,amount,badge\n" +
	"123456789012345678,birth,李伟,2026-07-20,\"女儿出生, 母女平安\",12.5,007123\n" +
	"42,death,王芳,2026-06-01,\"父亲去世\n葬礼在周六\",0.3,000001\n" +
	"\n" +
	"00043,marriage,Zhang Min,2026-05-09,,1000000,000042\n"

// hrExport builds, the way an HR system exports, a workbook whose first
// sheet holds typed cells: a long numeric id, dates under the en-US short
// date format (which excelize would show as 7/20/26), a German and a Chinese
// custom date format, money under 0.00, a zero-padded number, an id typed
// as text, and a float with binary noise. A second sheet must be ignored.
func hrExport(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	style := func(s excelize.Style) int {
		id, err := f.NewStyle(&s)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	german, chinese, padded := "dd.mm.yyyy", `yyyy"年"m"月"d"日"`, "000000"
	shortDate := style(excelize.Style{NumFmt: 14})
	dateStyle := map[int]int{1: shortDate, 2: style(excelize.Style{CustomNumFmt: &german}), 4: style(excelize.Style{CustomNumFmt: &chinese})}
	money := style(excelize.Style{NumFmt: 2})
	badge := style(excelize.Style{CustomNumFmt: &padded})
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	rows := [][]any{
		{"employee_id", "kind", "subject", "occurred_on", "details", "amount", "badge"},
		{int64(123456789012345678), "birth", "李伟", day(2026, 7, 20), "女儿出生, 母女平安", 12.5, 7123},
		{42, "death", "王芳", day(2026, 6, 1), "父亲去世\n葬礼在周六", 0.1 + 0.2, 1},
		nil,
		{"00043", "marriage", "Zhang Min", day(2026, 5, 9), nil, 1e6, 42},
	}
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			continue
		}
		for col, id := range map[string]int{"D": dateStyle[i], "F": money, "G": badge} {
			ref := col + cell[1:]
			if err := f.SetCellStyle(sheet, ref, ref, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Other", "A1", "not this one"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXReadsLikeItsCSVTwin(t *testing.T) {
	t.Parallel()
	want, err := Read(bytes.NewReader([]byte(hrExportCSV)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if want.RowNumbers[2] != 5 {
		t.Fatalf("the CSV twin's last row is %d, want 5", want.RowNumbers[2])
	}
	got, err := Read(bytes.NewReader(hrExport(t)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestXLSXCells(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		value any
		style excelize.Style
		want  string
	}{
		{"date and time", time.Date(2026, 7, 20, 14, 30, 0, 0, time.UTC), excelize.Style{NumFmt: 22}, "2026-07-20 14:30"},
		{"time of day", 0.25, excelize.Style{NumFmt: 21}, "06:00:00"},
		{"day-month-year with a locale tag", 46223, excelize.Style{CustomNumFmt: ptr(`[$-407]dd/mm/yyyy;@`)}, "2026-07-20"},
		{"month and day only", 46223, excelize.Style{NumFmt: 16}, "2026-07-20"},
		{"percent", 0.125, excelize.Style{NumFmt: 10}, "0.125"},
		{"thousands and currency", 1234567.5, excelize.Style{CustomNumFmt: ptr(`"¥"#,##0.00`)}, "1234567.5"},
		{"huge number", 1e20, excelize.Style{}, "100000000000000000000"},
		{"negative", -17.25, excelize.Style{NumFmt: 4}, "-17.25"},
		{"text that looks like a number", "1.50", excelize.Style{NumFmt: 14}, "1.50"},
		{"boolean", true, excelize.Style{}, "TRUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := excelize.NewFile()
			defer f.Close()
			style, err := f.NewStyle(&tc.style)
			if err != nil {
				t.Fatal(err)
			}
			must(t, f.SetCellValue("Sheet1", "A1", "value"))
			must(t, f.SetCellValue("Sheet1", "A2", tc.value))
			must(t, f.SetCellStyle("Sheet1", "A2", "A2", style))
			var buf bytes.Buffer
			must(t, f.Write(&buf))
			got, err := Read(&buf, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != 1 || got.Rows[0][0] != tc.want {
				t.Errorf("got %+v, want %+v", got.Rows, tc.want)
			}
		})
	}
}

// A cell at the sheet's last row must stream, not inflate: excelize's
// in-memory worksheet would add a million empty rows for it.
func TestXLSXFarRow(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1") // SetCellValue would build those rows too
	must(t, err)
	must(t, sw.SetRow("A1", []any{"kind"}))
	must(t, sw.SetRow("A1048576", []any{"birth"}))
	must(t, sw.Flush())
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	got, err := Read(&buf, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := Table{Header: []string{"kind"}, Rows: [][]string{{"birth"}}, RowNumbers: []int{1048576}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestXLSXRefuses(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"a", "b"}))
	must(t, f.SetSheetRow("Sheet1", "A4", &[]any{1, 2, 3}))
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	_, err := Read(&buf, Limits{})
	if fe, ok := errors.AsType[*FormatError](err); !ok || fe.Row != 4 {
		t.Errorf("got %v, want a FormatError on row 4", err)
	}
}

func zipOf(t testing.TB, name string, content []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create(name)
	must(t, err)
	_, err = w.Write(content)
	must(t, err)
	must(t, zw.Close())
	return buf.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }
