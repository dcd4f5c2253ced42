package tabular

import (
	"archive/zip"
	"bytes"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// unzipFactor bounds what an XLSX may unpack to, as a multiple of
// Limits.MaxBytes. Real sheets compress five to ten times; a zip bomb
// compresses a thousand.
const unzipFactor = 8

// readXLSX reads the first sheet of a workbook. Cells come out as the clerk
// would want them typed: dates as YYYY-MM-DD, numbers as plain digits (see
// cellText and normaliseFormats).
func readXLSX(data []byte, lim Limits) (t Table, err error) {
	limit := unzipFactor * lim.MaxBytes
	if err := checkZip(data, limit); err != nil {
		return Table{}, err
	}
	// excelize is not hardened against hostile workbooks; a panic in it is a
	// damaged upload, not a reason to take the request down.
	defer func() {
		if recover() != nil {
			t, err = Table{}, fileError("the workbook is damaged; open it in Excel, save it again and upload the new file")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: limit, // keep every part in memory: no temporary files
		ShortDatePattern:  "yyyy-mm-dd",
	})
	if err != nil {
		return Table{}, fileError("the file is a zip archive but not an Excel workbook (.xlsx) that can be read")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, fileError("the workbook has no sheets")
	}
	normaliseFormats(f)
	return readSheet(f, sheets[0], lim)
}

// checkZip refuses damaged archives and ones that claim to unpack to more
// than limit bytes. The claims bind: archive/zip fails a part that inflates
// beyond its declared size. excelize checks the same limit; this check comes
// first so the clerk gets a message in words.
func checkZip(data []byte, limit int64) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fileError("the file looks like an Excel workbook (.xlsx) but is damaged; open it in Excel, save it again and upload the new file")
	}
	var total uint64
	for _, part := range zr.File {
		total += part.UncompressedSize64
		if total > uint64(limit) {
			return fileError("the workbook unpacks to more than %s; save the sheet as CSV or split it into smaller files", size(limit))
		}
	}
	return nil
}

// readSheet streams the sheet twice in step, once as stored and once as
// excelize formats it, because each alone loses something: stored dates are
// serial numbers, and formatted long numbers get an exponent. It never
// builds excelize's in-memory worksheet, which a tiny hostile sheet (a
// single cell at XFD1048576) can inflate to hundreds of megabytes.
func readSheet(f *excelize.File, sheet string, lim Limits) (Table, error) {
	stored, err := f.Rows(sheet)
	if err != nil {
		return Table{}, fileError("the first sheet of the workbook cannot be read")
	}
	defer stored.Close()
	shown, err := f.Rows(sheet)
	if err != nil {
		return Table{}, fileError("the first sheet of the workbook cannot be read")
	}
	defer shown.Close()
	b := builder{lim: lim}
	for row := 1; stored.Next() && shown.Next(); row++ {
		raw, err := stored.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Table{}, rowError(row, "this row of the workbook is damaged")
		}
		cells, err := shown.Columns()
		if err != nil {
			return Table{}, rowError(row, "this row of the workbook is damaged")
		}
		for i := range min(len(raw), len(cells)) {
			cells[i] = cellText(raw[i], cells[i])
		}
		if err := b.add(row, cells); err != nil {
			return Table{}, err
		}
	}
	if stored.Error() != nil || shown.Error() != nil {
		return Table{}, fileError("the first sheet of the workbook is damaged or has more rows than Excel allows")
	}
	return b.table()
}

// cellText picks a cell's text from its stored and formatted forms. After
// normaliseFormats a number is formatted as General (or zero-padded), which
// for more than 15 digits is an exponent; the stored digits are exact.
// Strings, dates and zero-padded numbers are taken as formatted.
func cellText(stored, shown string) string {
	if stored == shown || !isNumber(stored) || !isNumber(shown) || zeroPadded(shown) {
		return shown
	}
	return plainNumber(stored)
}

// zeroPadded reports "007123", which a "000000" format shows for 7123.
func zeroPadded(s string) bool {
	return len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9'
}

// isNumber accepts the decimal forms a workbook stores numbers in, and not
// the hex, Inf or NaN that strconv.ParseFloat would also take.
func isNumber(s string) bool {
	if s == "" || strings.Trim(s, "0123456789.eE+-") != "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
