package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzRead holds Read to its contract on any bytes: no panic; either a
// *FormatError (the reader cannot fail) and no table, or a table whose
// rows all have the header's width and a row number each, in file order.
func FuzzRead(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte(lifeEvents),
		append([]byte("\xEF\xBB\xBF"), lifeEvents...),
		gb18030(f, lifeEvents),
		[]byte(hrExportCSV),
		[]byte("a,b\r\n\"1\r\n2\",\"x,\"\"y\"\"\"\r\n\r\n,,,\r\n4,5,,\r\n"),
		[]byte("a,,b\n"),
		hrExport(f),
		[]byte("PK\x03\x04\x14\x00\x00\x00garbage"),
		{},
	} {
		f.Add(seed)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxRows: 100, MaxCell: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data), lim)
		checkContract(t, got, err, lim)
	})
}

// checkContract fails t unless (got, err) is what Read promises for an
// input from a reader that cannot fail.
func checkContract(t *testing.T, got Table, err error, lim Limits) {
	t.Helper()
	if err != nil {
		fe, ok := errors.AsType[*FormatError](err)
		if !ok || fe.Row < 0 || fe.Message == "" {
			t.Fatalf("error %#v is not a FormatError with a message", err)
		}
		if got.Header != nil || got.Rows != nil || got.RowNumbers != nil {
			t.Fatalf("a table came back with the error: %+v", got)
		}
		return
	}
	if len(got.Header) == 0 {
		t.Fatal("a table without a header")
	}
	if len(got.Rows) != len(got.RowNumbers) || len(got.Rows) > lim.MaxRows {
		t.Fatalf("%d rows, %d row numbers", len(got.Rows), len(got.RowNumbers))
	}
	last := 0
	for i, row := range got.Rows {
		if len(row) != len(got.Header) {
			t.Fatalf("row %d has %d cells, the header %d", got.RowNumbers[i], len(row), len(got.Header))
		}
		if got.RowNumbers[i] <= last {
			t.Fatalf("row numbers out of order: %v", got.RowNumbers)
		}
		last = got.RowNumbers[i]
	}
	if _, err := got.Index(got.Header...); err != nil {
		t.Fatalf("the header cannot index itself: %v", err)
	}
}

// FuzzReadWorkbook reaches what FuzzRead rarely does, a zip that opens: it
// puts the fuzzer's bytes in place of one part of a real workbook (the
// sheet, the shared strings or the styles) and holds Read to the same
// contract.
func FuzzReadWorkbook(f *testing.F) {
	book := hrExport(f)
	parts := []string{"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"}
	for i, name := range parts {
		f.Add(uint8(i), partOf(f, book, name))
	}
	var lim Limits
	lim.setDefaults()
	f.Fuzz(func(t *testing.T, which uint8, part []byte) {
		data := withPart(t, book, parts[int(which)%len(parts)], part)
		got, err := Read(bytes.NewReader(data), lim)
		checkContract(t, got, err, lim)
	})
}

func partOf(t testing.TB, book []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	must(t, err)
	rc, err := zr.Open(name)
	must(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	must(t, err)
	return b
}

// withPart copies book with the part called name replaced by content.
func withPart(t testing.TB, book []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	must(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, file := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: file.Name, Method: zip.Store}) // deflating is most of an exec's time
		must(t, err)
		if file.Name == name {
			_, err = w.Write(content)
		} else {
			err = copyPart(w, file)
		}
		must(t, err)
	}
	must(t, zw.Close())
	return buf.Bytes()
}

func copyPart(w io.Writer, file *zip.File) error {
	rc, err := file.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, rc)
	return err
}
