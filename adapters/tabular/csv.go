package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// readCSV reads comma-separated text, UTF-8 (a BOM is dropped) or, when the
// bytes are not valid UTF-8, GB18030, which is what spreadsheets on Chinese
// systems save. Quoting follows RFC 4180 strictly: a stray quote is an error
// rather than a guess.
func readCSV(data []byte, lim Limits) (Table, error) {
	text, err := decodeText(data)
	if err != nil {
		return Table{}, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1 // the builder pads and complains in the user's terms
	b := builder{lim: lim}
	// encoding/csv counts lines; a spreadsheet counts records, and shows a
	// blank line (which csv skips) as an empty row. A record's row is its
	// first line less the line breaks inside quoted cells before it.
	inner := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			return Table{}, rowError(pe.StartLine-inner, "%s", quoteProblem(pe.Err))
		}
		if err != nil {
			return Table{}, fileError("the file cannot be read as CSV")
		}
		line, _ := r.FieldPos(0)
		if err := b.add(line-inner, rec); err != nil {
			return Table{}, err
		}
		for _, c := range rec {
			inner += strings.Count(c, "\n")
		}
	}
	return b.table()
}

// decodeText returns the file as UTF-8 without a BOM.
func decodeText(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if utf8.Valid(data) {
		return data, nil
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	// The decoder replaces bytes that are not GB18030 with U+FFFD; a file
	// with those is in some third encoding, and guessing would corrupt names.
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return nil, fileError("the file's text is neither UTF-8 nor GB18030 (Chinese); save it as CSV (UTF-8) or .xlsx")
	}
	return text, nil
}

func quoteProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a quote mark (") stands inside a cell that does not start with one; put the whole cell in quotes and double the quote marks inside it`
	case errors.Is(err, csv.ErrQuote):
		return `a cell that starts with a quote mark (") is not closed properly; check the quote marks`
	}
	return "this row cannot be read as CSV"
}
