package payment

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/internal/aggtest"
)

var (
	pid1 = uuid.MustParse("0196f7a0-0000-7000-8000-000000000001")
	pid2 = uuid.MustParse("0196f7a0-0000-7000-8000-000000000002")
	cid  = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000c1")
	eid  = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000e1")
)

func TestExportCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rows := []ExportRow{
		{PaymentID: pid1, CaseID: cid, EmployeeID: eid, BankAccount: "6222 0000 1111", AmountFen: 600000},
		{PaymentID: pid2, CaseID: cid, EmployeeID: eid, BankAccount: "=HYPERLINK(\"x\",\"y\")", AmountFen: 1},
	}
	if err := ExportCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	want := ExportHeader + "\n" +
		pid1.String() + "," + cid.String() + "," + eid.String() + ",6222 0000 1111,600000,CNY\n" +
		pid2.String() + "," + cid.String() + "," + eid.String() + `,"'=HYPERLINK(""x"",""y"")",1,CNY` + "\n"
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	for _, v := range []string{"=1", "+1", "-1", "@x", "\tx", "\rx"} {
		if Defuse(v) != "'"+v {
			t.Fatalf("Defuse(%q) = %q", v, Defuse(v))
		}
	}
	for _, v := range []string{"", "1=", "abc", "'x"} {
		if Defuse(v) != v {
			t.Fatalf("Defuse(%q) = %q", v, Defuse(v))
		}
	}
	buf.Reset()
	if err := ExportCSV(&buf, nil); err != nil || buf.String() != ExportHeader+"\n" {
		t.Fatalf("empty export: %v %q", err, buf.String())
	}
	bad := []struct {
		change func(r *ExportRow)
		field  string
	}{
		{func(r *ExportRow) { r.PaymentID = uuid.Nil }, "rows[1].payment_id"},
		{func(r *ExportRow) { r.CaseID = uuid.Nil }, "rows[1].case_id"},
		{func(r *ExportRow) { r.EmployeeID = uuid.Nil }, "rows[1].employee_id"},
		{func(r *ExportRow) { r.BankAccount = " " }, "rows[1].bank_account"},
		{func(r *ExportRow) { r.AmountFen = 0 }, "rows[1].amount_fen"},
	}
	for _, b := range bad {
		rs := append([]ExportRow(nil), rows...)
		b.change(&rs[1])
		buf.Reset()
		aggtest.WantField(t, ExportCSV(&buf, rs), b.field)
		if buf.Len() != 0 {
			t.Fatal("a refused export wrote something")
		}
	}
	if err := ExportCSV(failingWriter{}, rows); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("writer error: %v", err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

const hdr = ReconciliationHeader + "\n"

func TestParseReconciliation(t *testing.T) {
	t.Parallel()
	p1, p2 := pid1.String(), pid2.String()
	tests := []struct {
		name    string
		in      string
		max     int
		results []ResultRow
		errRows []int
	}{
		{"confirmed and failed", hdr + p1 + ",confirmed,BK001,,2025-06-01\n" + p2 + ",failed,,account closed,\n", 0,
			[]ResultRow{{Row: 1, PaymentID: pid1, Status: StatusConfirmed, BankRef: "BK001", ConfirmedOn: "2025-06-01"},
				{Row: 2, PaymentID: pid2, Status: StatusFailed, Reason: "account closed"}}, nil},
		{"bom crlf and spaces", "\xef\xbb\xbf" + strings.ReplaceAll(hdr, "\n", "\r\n") + " " + p1 + " , confirmed ,BK001, ignored ,2025-06-01\r\n", 0,
			[]ResultRow{{Row: 1, PaymentID: pid1, Status: StatusConfirmed, BankRef: "BK001", ConfirmedOn: "2025-06-01"}}, nil},
		{"failed keeps no ref", hdr + p1 + ",failed,BK9,\"no such account, closed\",2025-06-01\n", 0,
			[]ResultRow{{Row: 1, PaymentID: pid1, Status: StatusFailed, Reason: "no such account, closed"}}, nil},
		{"every row checked", hdr + "x,confirmed,BK1,,2025-06-01\n" + p1 + ",paid,BK1,,2025-06-01\n" + p2 + ",confirmed,,,2025-06-01\n" +
			p2 + ",confirmed,BK1,,2025-13-01\n" + p1 + ",failed,,,\n" + p1 + ",confirmed\n", 0, nil, []int{1, 2, 3, 4, 5, 6}},
		{"duplicate is the later row", hdr + p1 + ",confirmed,BK1,,2025-06-01\n" + p1 + ",failed,,r,\n", 0,
			[]ResultRow{{Row: 1, PaymentID: pid1, Status: StatusConfirmed, BankRef: "BK1", ConfirmedOn: "2025-06-01"}}, []int{2}},
		{"duplicate after an invalid row", hdr + p1 + ",failed,,,\n" + p1 + ",failed,,r,\n", 0, nil, []int{1, 2}},
		{"long field", hdr + p1 + ",failed,," + strings.Repeat("r", MaxFieldLen+1) + ",\n" + p2 + ",failed,,r,\n", 0,
			[]ResultRow{{Row: 2, PaymentID: pid2, Status: StatusFailed, Reason: "r"}}, []int{1}},
		{"bare quote", hdr + p1 + ",fai\"led,,r,\n" + p2 + ",failed,,r,\n", 0,
			[]ResultRow{{Row: 2, PaymentID: pid2, Status: StatusFailed, Reason: "r"}}, []int{1}},
		{"uuid forms", hdr + "{" + p1 + "},failed,,r,\n" + "00000000-0000-0000-0000-000000000000,failed,,r,\n", 0, nil, []int{1, 2}},
		{"ref with quote", hdr + p1 + ",confirmed,\"BK'1\",,2025-06-01\n", 0, nil, []int{1}},
		{"too many rows", hdr + p1 + ",failed,,r,\n" + p2 + ",failed,,r,\n", 1,
			[]ResultRow{{Row: 1, PaymentID: pid1, Status: StatusFailed, Reason: "r"}}, []int{0}},
		{"bad header", "payment_id,status\n" + p1 + ",failed,,r,\n", 0, nil, []int{0}},
		{"empty", "", 0, nil, []int{0}},
		{"header only", hdr, 0, nil, nil},
		{"huge file", hdr + strings.Repeat("x", 4*maxRecordBytes), 1, nil, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, errs := ParseReconciliation(strings.NewReader(tt.in), tt.max)
			if !reflect.DeepEqual(got, tt.results) {
				t.Fatalf("results\n got %+v\nwant %+v", got, tt.results)
			}
			var rows []int
			for _, e := range errs {
				if e.Message == "" {
					t.Fatalf("empty message for row %d", e.Row)
				}
				rows = append(rows, e.Row)
			}
			if !reflect.DeepEqual(rows, tt.errRows) {
				t.Fatalf("error rows %v want %v: %+v", rows, tt.errRows, errs)
			}
		})
	}
}

func TestParseReconciliationReportsAllProblemsOfARow(t *testing.T) {
	t.Parallel()
	_, errs := ParseReconciliation(strings.NewReader(hdr+"nope,confirmed,,,2025-02-30\n"), 0)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "payment_id") || !strings.Contains(errs[0].Message, "bank_ref") ||
		!strings.Contains(errs[0].Message, "confirmed_on") {
		t.Fatalf("errors %+v", errs)
	}
}

func TestExportThenParseShareNoSurprises(t *testing.T) {
	t.Parallel()
	// A bank that echoes the payment ids of our export back in its results.
	var buf bytes.Buffer
	if err := ExportCSV(&buf, []ExportRow{{PaymentID: pid1, CaseID: cid, EmployeeID: eid, BankAccount: "1", AmountFen: 5}}); err != nil {
		t.Fatal(err)
	}
	id := strings.SplitN(strings.Split(buf.String(), "\n")[1], ",", 2)[0]
	got, errs := ParseReconciliation(strings.NewReader(hdr+id+",confirmed,B1,,2025-06-01\n"), 10)
	if len(errs) != 0 || len(got) != 1 || got[0].PaymentID != pid1 {
		t.Fatalf("%+v %+v", got, errs)
	}
}
