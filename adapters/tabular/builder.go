package tabular

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// builder applies the rules both formats share, one record at a time, in
// file order: the first non-blank record is the header; blank records are
// skipped; limits are checked as records arrive, so an oversized sheet is
// refused before it is all held.
type builder struct {
	lim   Limits
	t     Table
	ready bool // the header has been taken
}

// add takes the record on spreadsheet row `row`. The builder keeps cells
// (it does not copy them).
func (b *builder) add(row int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if err := b.checkCells(row, cells); err != nil {
		return err
	}
	if !b.ready {
		b.ready = true
		return b.header(row, cells)
	}
	if len(b.t.Rows) == b.lim.MaxRows {
		return fileError("the file has more than %d data rows; split it into smaller files", b.lim.MaxRows)
	}
	width := len(b.t.Header)
	for i := width; i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			return rowError(row, "there is a value in column %s, but the header row names only %d columns (up to %s)",
				column(i), width, column(width-1))
		}
	}
	if len(cells) > width {
		cells = cells[:width]
	}
	for len(cells) < width {
		cells = append(cells, "")
	}
	b.t.Rows = append(b.t.Rows, cells)
	b.t.RowNumbers = append(b.t.RowNumbers, row)
	return nil
}

// header trims the names and refuses ones Index could not tell apart.
// Empty cells at the end are dropped: spreadsheets often export a few.
func (b *builder) header(row int, cells []string) error {
	names := make([]string, len(cells))
	for i, c := range cells {
		names[i] = strings.TrimSpace(c)
	}
	for names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	first := make(map[string]int, len(names))
	for i, name := range names {
		if name == "" {
			return rowError(row, "column %s of the header row has no name", column(i))
		}
		if j, dup := first[fold(name)]; dup {
			return rowError(row, "the column name %q appears twice in the header row (columns %s and %s)", name, column(j), column(i))
		}
		first[fold(name)] = i
	}
	b.t.Header = names
	return nil
}

func (b *builder) checkCells(row int, cells []string) error {
	for i, c := range cells {
		if len(c) > b.lim.MaxCell && utf8.RuneCountInString(c) > b.lim.MaxCell {
			return rowError(row, "the cell in column %s is longer than %d characters", column(i), b.lim.MaxCell)
		}
	}
	return nil
}

// table returns what was built; a file with no non-blank record has no
// header.
func (b *builder) table() (Table, error) {
	if !b.ready {
		return Table{}, fileError("the file has no header row (it contains only blank rows)")
	}
	return b.t, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// column names a zero-based column the way spreadsheets label it (A, B, …).
func column(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil { // beyond XFD, only possible in a CSV
		return "number " + strconv.Itoa(i+1)
	}
	return name
}
