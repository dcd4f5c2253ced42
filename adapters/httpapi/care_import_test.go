package httpapi

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// importCSV returns an HR export of n rows for employees, one of whose
// rows, bad (1-based data row, 0 for none), has a date that does not exist.
func importCSV(employees []string, n, bad int) string {
	var b strings.Builder
	b.WriteString("employee_id,kind,subject,occurred_on,details\r\n")
	for i := 1; i <= n; i++ {
		day := fmt.Sprintf("%04d-%02d-%02d", 2023+i/336, 1+i/28%12, 1+i%28)
		if i == bad {
			day = "2025-02-30"
		}
		fmt.Fprintf(&b, "%s,hospitalisation,%s,%s,住院治疗第%d次\r\n", employees[i%len(employees)],
			[]string{"self", "spouse", "child", "parent"}[i%4], day, i)
	}
	return b.String()
}

func (s *testAPI) importFile(token, contentType string, body []byte) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.serve(withType(s.request(http.MethodPost, "/v1/life-events/import", token, body), contentType))
}

// An import of 1,000 rows with one bad row imports nothing and names the
// row and column; the same file twice imports once; its GB18030 twin, its
// XLSX twin and a multipart upload read the same; an upload that is no
// table is refused whole.
func TestLifeEventImportOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, cw := f.api, f.tokens[actorCaseworker]
		employees := []string{f.employee(f.stationA), f.employee(f.workshopA)}
		before := s.head()
		rec := s.importFile(cw, "text/csv", []byte(importCSV(employees, 1000, 437)))
		p := problemOf(t, rec, http.StatusUnprocessableEntity, codeValidation)
		// Data row 437 is the file's row 438: the header is row 1.
		if len(p.Errors) != 1 || p.Errors[0] != (rowErrorJSON{Row: 438, Column: "occurred_on", Message: "must be a date YYYY-MM-DD"}) {
			t.Fatalf("a file with a bad row: %+v", p)
		}
		if s.head() != before {
			t.Fatalf("a refused import wrote %v", types(s.eventsAfter(before)))
		}

		good := importCSV(employees, 1000, 0)
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(good)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"imported": float64(1000), "skipped_duplicates": float64(0)}
		for i, upload := range []struct {
			name, contentType string
			body              []byte
		}{
			{"GB18030", "text/csv", []byte(gb)},
			{"UTF-8 with BOM", "text/csv", append([]byte("\xef\xbb\xbf"), good...)},
			{"XLSX", contentTypeXLSX, xlsxOf(t, good)},
			{"multipart", "", nil},
		} {
			var rec *httptest.ResponseRecorder
			if upload.name == "multipart" {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				part, _ := mw.CreateFormFile("file", "职工生活事件.csv")
				part.Write([]byte(good))
				mw.Close()
				rec = s.importFile(cw, mw.FormDataContentType(), body.Bytes())
			} else {
				rec = s.importFile(cw, upload.contentType, upload.body)
			}
			got := jsonBody(t, rec)
			if rec.Code != http.StatusOK || got["imported"] != want["imported"] || got["skipped_duplicates"] != want["skipped_duplicates"] {
				t.Fatalf("%s: %d %v, want %v", upload.name, rec.Code, got, want)
			}
			if i == 0 { // every later upload is the same file again
				want = map[string]any{"imported": float64(0), "skipped_duplicates": float64(1000)}
			}
		}

		for name, body := range map[string][]byte{
			"empty":         {},
			"no columns":    []byte("工号,类型\n1,2\n"),
			"a damaged zip": append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 64)...),
		} {
			before := s.head()
			rec := s.importFile(cw, "text/csv", body)
			if p := problemOf(t, rec, http.StatusUnprocessableEntity, codeValidation); len(p.Errors) == 0 {
				t.Errorf("%s: a refusal without errors: %+v", name, p)
			}
			if s.head() != before {
				t.Errorf("%s: a refused upload wrote events", name)
			}
		}
	})
}

func withType(req *http.Request, contentType string) *http.Request {
	req.Header.Set("Content-Type", contentType)
	return req
}

// xlsxOf returns a workbook holding the CSV text's cells as text.
func xlsxOf(t *testing.T, csvText string) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimRight(csvText, "\r\n"), "\r\n") {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
