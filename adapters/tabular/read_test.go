package tabular

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// lifeEvents is a small HR export with Chinese details, a quoted comma and a
// quoted line break.
const lifeEvents = "employee_id,kind,subject,occurred_on,details\n" +
	"E001,birth,李伟,2026-07-20,\"女儿出生, 母女平安\"\n" +
	"E002,death,王芳,2026-06-01,\"父亲去世\n葬礼在周六\"\n" +
	"E003,marriage,Zhang Min,2026-05-09,\n"

var lifeEventsTable = Table{
	Header: []string{"employee_id", "kind", "subject", "occurred_on", "details"},
	Rows: [][]string{
		{"E001", "birth", "李伟", "2026-07-20", "女儿出生, 母女平安"},
		{"E002", "death", "王芳", "2026-06-01", "父亲去世\n葬礼在周六"},
		{"E003", "marriage", "Zhang Min", "2026-05-09", ""},
	},
	RowNumbers: []int{2, 3, 4},
}

func gb18030(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadEncodings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"UTF-8", []byte(lifeEvents)},
		{"UTF-8 with BOM", append([]byte("\xEF\xBB\xBF"), lifeEvents...)},
		{"GB18030", gb18030(t, lifeEvents)},
		{"GB18030 with CRLF", gb18030(t, strings.ReplaceAll(lifeEvents, "\n", "\r\n"))},
		{"UTF-8 with CRLF and blank trailing rows", []byte(strings.ReplaceAll(lifeEvents, "\n", "\r\n") + ",,,,\r\n\r\n  ,\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(bytes.NewReader(tc.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, lifeEventsTable) {
				t.Errorf("got %+v\nwant %+v", got, lifeEventsTable)
			}
		})
	}
}

func TestReadShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, csv string
		want      Table
	}{
		{
			name: "short rows are padded, empty cells past the header dropped",
			csv:  "a,b,c\n1\n1,2,3,,\n",
			want: Table{Header: []string{"a", "b", "c"}, Rows: [][]string{{"1", "", ""}, {"1", "2", "3"}}, RowNumbers: []int{2, 3}},
		},
		{
			name: "header trimmed, trailing empty header cells dropped, data kept as written",
			csv:  " a , b ,,\n x ,y\n",
			want: Table{Header: []string{"a", "b"}, Rows: [][]string{{" x ", "y"}}, RowNumbers: []int{2}},
		},
		{
			name: "blank rows skipped but counted, also before the header",
			csv:  "\n,,\na,b\n1,2\n\n , \n3,4\n",
			want: Table{Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}, {"3", "4"}}, RowNumbers: []int{4, 7}},
		},
		{
			name: "a quoted line break is one row",
			csv:  "a,b\r\n\"1\r\n2\r\n3\",\"x,\"\"y\"\"\"\r\n4,5\r\n",
			want: Table{Header: []string{"a", "b"}, Rows: [][]string{{"1\n2\n3", `x,"y"`}, {"4", "5"}}, RowNumbers: []int{2, 3}},
		},
		{
			name: "header only",
			csv:  "a,b\n",
			want: Table{Header: []string{"a", "b"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(strings.NewReader(tc.csv), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	t.Parallel()
	small := Limits{MaxBytes: 1 << 20, MaxRows: 3, MaxCell: 10}
	for _, tc := range []struct {
		name string
		data []byte
		lim  Limits
		row  int    // FormatError.Row
		says string // part of the message
	}{
		{"empty file", nil, Limits{}, 0, "empty"},
		{"only a BOM and spaces", []byte("\xEF\xBB\xBF \r\n"), Limits{}, 0, "empty"},
		{"only blank rows", []byte(",,\n,\n"), Limits{}, 0, "no header row"},
		{"too large", bytes.Repeat([]byte("a,b\n"), 300), Limits{MaxBytes: 1000}, 0, "larger than the limit of 1000 bytes"},
		{"too many rows", []byte("a\n1\n2\n\n3\n4\n"), small, 0, "more than 3 data rows"},
		{"oversized cell", []byte("a,b\n1,2\n3,12345678901\n"), small, 3, "column B is longer than 10 characters"},
		{"oversized cell counts runes", []byte("a\n一二三四五六七八九十\n一二三四五六七八九十一\n"), small, 3, "longer than 10"},
		{"row longer than header", []byte("a,b\n1,2\n1,2,3\n"), Limits{}, 3, "column C"},
		{"duplicate header, any case", []byte("Kind,details,kind\n"), Limits{}, 1, `"kind" appears twice`},
		{"unnamed header column", []byte("a,,b\n"), Limits{}, 1, "column B of the header row has no name"},
		{"bare quote", []byte("a,b\n1,2\n3,4\"\n"), Limits{}, 3, "quote mark"},
		{"unclosed quote after a multi-line cell", []byte("a,b\n\"1\n2\",x\n3,\"4\n"), Limits{}, 3, "not closed"},
		{"neither UTF-8 nor GB18030", []byte("a,b\n1,\xFF\n"), Limits{}, 0, "neither UTF-8 nor GB18030"},
		{"UTF-16", []byte("\xFF\xFEa\x00,\x00b\x00"), Limits{}, 0, "UTF-16"},
		{"old Excel", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), Limits{}, 0, ".xls"},
		{"binary", []byte("%PDF-1.7\n\x00\x01"), Limits{}, 0, "neither a CSV file nor an Excel workbook"},
		{"corrupt zip", []byte("PK\x03\x04\x14\x00\x00\x00garbage"), Limits{}, 0, "damaged"},
		{"zip bomb", zipOf(t, "xl/worksheets/sheet1.xml", make([]byte, 1<<20)), Limits{MaxBytes: 64 << 10}, 0, "unpacks to more than 512 KB"},
		{"zip that is not a workbook", zipOf(t, "notes.txt", []byte("hello")), Limits{}, 0, "not an Excel workbook"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(bytes.NewReader(tc.data), tc.lim)
			fe, ok := errors.AsType[*FormatError](err)
			if !ok {
				t.Fatalf("got %v, %+v; want a *FormatError", err, got)
			}
			if fe.Row != tc.row || !strings.Contains(fe.Message, tc.says) {
				t.Errorf("got row %d %q; want row %d saying %q", fe.Row, fe.Message, tc.row, tc.says)
			}
			if !reflect.DeepEqual(got, Table{}) {
				t.Errorf("got %+v with the error", got)
			}
		})
	}
}

// A failing reader is not the uploader's fault, so it is no FormatError.
func TestReadPassesOnReaderErrors(t *testing.T) {
	t.Parallel()
	broken := io.MultiReader(strings.NewReader("a,b\n"), iotestErrReader{})
	_, err := Read(broken, Limits{})
	if !errors.Is(err, errBroken) {
		t.Fatalf("got %v, want errBroken wrapped", err)
	}
	if _, ok := errors.AsType[*FormatError](err); ok {
		t.Errorf("a reader's error came back as a FormatError: %v", err)
	}
}

var errBroken = errors.New("connection reset")

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errBroken }

func TestIndex(t *testing.T) {
	t.Parallel()
	table := Table{Header: []string{"Employee_ID", "kind", "Occurred_On", "notes"}}
	for _, tc := range []struct {
		name    string
		wanted  []string
		want    map[string]int
		missing []string
	}{
		{"any case, extra columns allowed", []string{"employee_id", " KIND "}, map[string]int{"employee_id": 0, " KIND ": 1}, nil},
		{"nothing wanted", nil, map[string]int{}, nil},
		{"all missing ones named", []string{"kind", "subject", "details"}, nil, []string{"subject", "details"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := table.Index(tc.wanted...)
			if tc.missing != nil {
				ce, ok := errors.AsType[*ColumnError](err)
				if !ok || !reflect.DeepEqual(ce.Missing, tc.missing) {
					t.Fatalf("got %v; want a ColumnError missing %q", err, tc.missing)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&FormatError{Row: 7, Message: "the cell in column B is longer than 2000 characters"}, "row 7: the cell in column B is longer than 2000 characters"},
		{&FormatError{Message: "the file is empty"}, "the file is empty"},
		{&ColumnError{Missing: []string{"details"}}, `the header row has no column named "details"`},
		{&ColumnError{Missing: []string{"kind", "details"}}, `the header row has no columns named "kind", "details"`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %+v, want %+v", got, tc.want)
		}
	}
}
