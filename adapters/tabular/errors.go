package tabular

import (
	"fmt"
	"strings"
)

// FormatError says why an upload cannot be read as a table, in words meant
// for the person who made the file. Row is the spreadsheet row the problem
// is on, or 0 when it concerns the whole file (empty, too large, not CSV or
// XLSX, damaged).
type FormatError struct {
	Row     int
	Message string
}

func (e *FormatError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return e.Message
}

// ColumnError names the columns that Index wanted and the header lacks,
// spelled as the caller asked for them.
type ColumnError struct {
	Missing []string
}

func (e *ColumnError) Error() string {
	quoted := make([]string, len(e.Missing))
	for i, name := range e.Missing {
		quoted[i] = fmt.Sprintf("%q", name)
	}
	if len(quoted) == 1 {
		return "the header row has no column named " + quoted[0]
	}
	return "the header row has no columns named " + strings.Join(quoted, ", ")
}

// rowError and fileError keep the constructors short where errors are made.
func rowError(row int, format string, args ...any) error {
	return &FormatError{Row: row, Message: fmt.Sprintf(format, args...)}
}

func fileError(format string, args ...any) error {
	return &FormatError{Message: fmt.Sprintf(format, args...)}
}
