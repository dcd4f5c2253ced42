package payment

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Headers of the files exchanged with the bank. They are a contract with
// the bank; never change them.
const (
	ExportHeader         = "payment_id,case_id,employee_id,bank_account,amount_fen,currency"
	ReconciliationHeader = "payment_id,status,bank_ref,reason,confirmed_on"
	Currency             = "CNY"
)

// Limits of a reconciliation file.
const (
	MaxFieldLen     = 256     // bytes of one field
	DefaultMaxRows  = 10000   // data rows, when the caller passes maxRows ≤ 0
	MaxRows         = 1000000 // data rows at most, whatever the caller passes
	maxRecordBytes  = 5*(2*MaxFieldLen+3) + 2
	formulaTriggers = "=+-@\t\r"
)

// ExportRow is one payment in the file sent to the bank. BankAccount is
// the account number as the bank needs it, opened by the command layer
// for this file only: ExportCSV formats it and keeps nothing.
type ExportRow struct {
	PaymentID   uuid.UUID
	CaseID      uuid.UUID
	EmployeeID  uuid.UUID
	BankAccount string
	AmountFen   int64
}

// ExportCSV writes the header and rows, in the given order, as CSV for
// the bank. Every value that a spreadsheet could read as a formula (one
// starting with =, +, -, @, a tab or a carriage return) is prefixed with a
// single quote. Rows are checked before anything is written: ids present,
// an account present, an amount of 1..MaxFen fen; the first bad row is a
// *fault.ValidationError such as rows[3].amount_fen. An error from w is returned
// as is, and part of the file may then have been written.
func ExportCSV(w io.Writer, rows []ExportRow) error {
	for i, r := range rows {
		field := func(name string) string { return fmt.Sprintf("rows[%d].%s", i, name) }
		switch {
		case r.PaymentID == uuid.Nil:
			return invalid(field("payment_id"), "is required")
		case r.CaseID == uuid.Nil:
			return invalid(field("case_id"), "is required")
		case r.EmployeeID == uuid.Nil:
			return invalid(field("employee_id"), "is required")
		case strings.TrimSpace(r.BankAccount) == "":
			return invalid(field("bank_account"), "is required")
		case r.AmountFen <= 0 || r.AmountFen > MaxFen:
			return invalid(field("amount_fen"), "must be 1 to %d fen", int64(MaxFen))
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(ExportHeader, ",")); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.PaymentID.String(), r.CaseID.String(), r.EmployeeID.String(),
			r.BankAccount, strconv.FormatInt(r.AmountFen, 10), Currency}
		for i, v := range rec {
			rec[i] = Defuse(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Defuse prefixes a value a spreadsheet would take for a formula, so that
// a file opened in a spreadsheet shows it as text and runs nothing.
func Defuse(v string) string {
	if v != "" && strings.IndexByte(formulaTriggers, v[0]) >= 0 {
		return "'" + v
	}
	return v
}

// ResultRow is one valid row of the bank's results file. Row is its
// 1-based number among the data rows. A confirmed row has BankRef and
// ConfirmedOn and no Reason; a failed row has Reason and neither of the
// others (the file's bank_ref and confirmed_on of a failed row are not
// kept).
type ResultRow struct {
	Row         int
	PaymentID   uuid.UUID
	Status      Status
	BankRef     string
	ConfirmedOn string
	Reason      string
}

// RowError is every problem of one data row (Row, 1-based), joined in
// Message. Row 0 is a problem of the file itself: its header, its size, a
// read error.
type RowError struct {
	Row     int
	Message string
}

// ParseReconciliation reads the bank's results file: the header
// ReconciliationHeader, then one row per payment, status confirmed (needs
// bank_ref and confirmed_on YYYY-MM-DD) or failed (needs reason). A UTF-8
// byte-order mark and CRLF line ends are accepted; spaces around values
// are trimmed. It checks every row and returns the valid ones and, for
// every other row, one RowError: each data row is in exactly one of the
// two. A payment_id seen on an earlier row makes the later row an error.
// Nothing is applied: whether the payments exist and may take the outcome
// is the command's to check. With a bad header, more than maxRows data rows
// (DefaultMaxRows when maxRows ≤ 0, never more than MaxRows) or a row longer than the field limits
// allow, it stops there and reports the problem; the rows before stay
// classified.
func ParseReconciliation(r io.Reader, maxRows int) ([]ResultRow, []RowError) {
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	maxRows = min(maxRows, MaxRows)
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	limit := &limitedReader{r: br, n: int64(maxRows+1)*maxRecordBytes + 1}
	cr := csv.NewReader(limit)
	cr.FieldsPerRecord = -1
	var (
		results []ResultRow
		errs    []RowError
		seen    = map[uuid.UUID]bool{}
	)
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, []RowError{{Row: 0, Message: "the file is empty"}}
	case err != nil:
		return nil, []RowError{{Row: 0, Message: "header: " + readProblem(err, limit)}}
	case strings.Join(trimAll(header), ",") != ReconciliationHeader:
		return nil, []RowError{{Row: 0, Message: "header must be " + ReconciliationHeader}}
	}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if row > maxRows {
			errs = append(errs, RowError{Row: 0, Message: fmt.Sprintf("more than %d data rows", maxRows)})
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if limit.exceeded || !errors.As(err, &pe) {
				// The file is too large or cannot be read on: no more rows.
				errs = append(errs, RowError{Row: 0, Message: readProblem(err, limit)})
				break
			}
			errs = append(errs, RowError{Row: row, Message: readProblem(err, limit)})
			continue
		}
		res, problems := parseRow(row, rec)
		if res.PaymentID != uuid.Nil {
			if seen[res.PaymentID] {
				problems = append(problems, "payment_id appears on an earlier row")
			}
			seen[res.PaymentID] = true
		}
		if len(problems) > 0 {
			errs = append(errs, RowError{Row: row, Message: strings.Join(problems, "; ")})
			continue
		}
		results = append(results, res)
	}
	return results, errs
}

// parseRow checks one record. The result's PaymentID is set whenever the
// id parsed, even if the row has other problems, for duplicate detection.
func parseRow(row int, rec []string) (ResultRow, []string) {
	if len(rec) != 5 {
		return ResultRow{}, []string{fmt.Sprintf("%d fields, want 5", len(rec))}
	}
	var problems []string
	for i, v := range rec {
		if len(v) > MaxFieldLen {
			problems = append(problems, fmt.Sprintf("field %d is longer than %d bytes", i+1, MaxFieldLen))
		}
	}
	if problems != nil {
		return ResultRow{}, problems
	}
	rec = trimAll(rec)
	res := ResultRow{Row: row, Status: Status(rec[1])}
	if id, err := uuid.Parse(rec[0]); err != nil || len(rec[0]) != 36 || id == uuid.Nil {
		problems = append(problems, "payment_id must be a UUID")
	} else {
		res.PaymentID = id
	}
	switch res.Status {
	case StatusConfirmed:
		if err := CheckBankRef(rec[2]); err != nil {
			problems = append(problems, err.Error())
		}
		if err := checkDate("confirmed_on", rec[4]); err != nil {
			problems = append(problems, err.Error())
		}
		res.BankRef, res.ConfirmedOn = rec[2], rec[4]
	case StatusFailed:
		reason, err := cleanReason(rec[3])
		if err != nil {
			problems = append(problems, err.Error())
		}
		res.Reason = reason
	default:
		problems = append(problems, "status must be confirmed or failed")
	}
	return res, problems
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, v := range rec {
		out[i] = strings.TrimSpace(v)
	}
	return out
}

// readProblem describes a read error without echoing the file's bytes.
func readProblem(err error, limit *limitedReader) string {
	if limit.exceeded {
		return "file larger than its rows allow"
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	if msg := err.Error(); utf8.ValidString(msg) && !strings.ContainsFunc(msg, unicode.IsControl) {
		return "read: " + msg
	}
	return "read error"
}

// limitedReader stops after n bytes and remembers that it did, so that a
// file far larger than its rows may be is not read to its end.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.exceeded = true
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var errTooLarge = errors.New("file too large")
