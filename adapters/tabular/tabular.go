// Package tabular turns an uploaded spreadsheet (CSV in UTF-8 or GB18030, or
// the first sheet of an XLSX workbook) into a header and rows of cell text.
// It owns recognising the format and encoding, the size limits that keep a
// hostile upload from exhausting memory, and errors that tell an office
// clerk which row of their file is wrong. What the columns mean is the
// caller's business.
package tabular

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Table is a decoded sheet: the header (cell texts, trimmed of surrounding
// spaces) and the data rows, whose cells are kept as written. Rows[i] has
// exactly len(Header) cells (short rows are padded with ""); RowNumbers[i] is
// the row number a spreadsheet user sees for Rows[i], counting blank rows,
// so errors can name rows. The header is row 1 unless blank rows precede it.
// Rows whose cells are all blank are left out.
type Table struct {
	Header     []string
	Rows       [][]string
	RowNumbers []int
}

// Limits bound what Read accepts. Zero (or negative) fields take the
// defaults: 16 MiB, 100000 data rows, 2000 runes per cell.
type Limits struct {
	MaxBytes int64
	MaxRows  int
	MaxCell  int
}

func (l *Limits) setDefaults() {
	if l.MaxBytes <= 0 {
		l.MaxBytes = 16 << 20
	}
	if l.MaxRows <= 0 {
		l.MaxRows = 100000
	}
	if l.MaxCell <= 0 {
		l.MaxCell = 2000
	}
}

// Signatures recognised by content; file names and content types are not
// trusted.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // .xls, or an XLSX with a password
	utf16LE  = []byte("\xFF\xFE")
	utf16BE  = []byte("\xFE\xFF")
	utf8BOM  = []byte("\xEF\xBB\xBF")
	nulByte  = []byte{0}
)

// Read decodes an upload into a Table. It reads at most lim.MaxBytes+1 bytes
// from r. Problems with the file are a *FormatError; an error from r itself
// is returned wrapped, as it is not the uploader's fault. Read is safe for
// concurrent use.
func Read(r io.Reader, lim Limits) (Table, error) {
	lim.setDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return Table{}, fmt.Errorf("tabular: read upload: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return Table{}, fileError("the file is larger than the limit of %s; split it into smaller files", size(lim.MaxBytes))
	}
	switch {
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0:
		return Table{}, fileError("the file is empty")
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data, lim)
	case bytes.HasPrefix(data, oleMagic):
		return Table{}, fileError("this is an old-style Excel file (.xls) or a password-protected workbook; save it as .xlsx without a password, or as CSV")
	case bytes.HasPrefix(data, utf16LE), bytes.HasPrefix(data, utf16BE):
		return Table{}, fileError(`this file is saved as "Unicode text" (UTF-16); save it as CSV (UTF-8) or .xlsx`)
	case bytes.Contains(data, nulByte):
		return Table{}, fileError("this file is neither a CSV file nor an Excel workbook (.xlsx)")
	}
	return readCSV(data, lim)
}

// size writes a byte count the way a clerk would say it.
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Index returns the position of each wanted column, keyed by the name as
// passed, matching header names case-insensitively and ignoring surrounding
// spaces. Columns not wanted are allowed. If any are absent the error is a
// *ColumnError listing all of them.
func (t Table) Index(wanted ...string) (map[string]int, error) {
	at := make(map[string]int, len(t.Header))
	for i, name := range t.Header {
		at[fold(name)] = i
	}
	found := make(map[string]int, len(wanted))
	var missing []string
	for _, name := range wanted {
		if i, ok := at[fold(name)]; ok {
			found[name] = i
		} else {
			missing = append(missing, name)
		}
	}
	if missing != nil {
		return nil, &ColumnError{Missing: missing}
	}
	return found, nil
}

// fold is the key header names are compared by, here and in the duplicate
// check, so that Index can never be ambiguous.
func fold(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
