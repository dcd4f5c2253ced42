package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"time"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/calendar"
	"aidtrail/domain/payment"
)

// Payments (F9): the bank transfer of an approved case's amount, instructed
// by the holder of budgets.manage at the case's unit and settled by the
// bank's answer, one payment at a time or a whole results file at once.

type instructPaymentRequest struct {
	AmountFen int64 `json:"amount_fen"`
}

type instructedResponse struct {
	PaymentID string         `json:"payment_id"`
	Status    payment.Status `json:"status"`
	Position  int64          `json:"position"`
}

// instructPayment: POST /v1/cases/{id}/payments. More than the approved
// amount less what is paid or outstanding is refused: already_paid when
// nothing is left, invalid_state otherwise.
func (a *api) instructPayment(w http.ResponseWriter, r *http.Request) error {
	c, err := onID[instructPaymentRequest](w, r, bodyRequired)
	if err != nil {
		return err
	}
	id, written, err := a.deps.App.InstructPayment(r.Context(), callerOf(r).actor, commands.InstructPayment{CaseID: c.ID, AmountFen: c.Body.AmountFen})
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/payments/"+id.String(), instructedResponse{PaymentID: id.String(), Status: payment.StatusInstructed, Position: written.Position})
	return nil
}

type confirmPaymentRequest struct {
	BankRef     string  `json:"bank_ref"`
	ConfirmedOn *string `json:"confirmed_on"`
}

// confirmPayment: POST /v1/payments/{id}/confirm. confirmed_on is the
// bank's date, YYYY-MM-DD, today when absent. Confirming again with the
// same bank_ref changes nothing.
func (a *api) confirmPayment(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[confirmPaymentRequest]) (commands.Written, error) {
		on := time.Now()
		if c.Body.ConfirmedOn != nil {
			var err error
			if on, err = bankDate("confirmed_on", *c.Body.ConfirmedOn); err != nil {
				return commands.Written{}, err
			}
		}
		return a.deps.App.ConfirmPayment(ctx, actor, commands.ConfirmPayment{PaymentID: c.ID, BankRef: c.Body.BankRef, On: on})
	})
}

func bankDate(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation(payment.DateLayout, s, calendar.Zone)
	if err != nil {
		return time.Time{}, &fieldError{Field: field, Reason: "must be a date YYYY-MM-DD"}
	}
	return t, nil
}

type failPaymentRequest struct {
	Reason string `json:"reason"`
}

// failPayment: POST /v1/payments/{id}/fail; the amount may be instructed
// again.
func (a *api) failPayment(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[failPaymentRequest]) (commands.Written, error) {
		return a.deps.App.FailPayment(ctx, actor, commands.FailPayment{PaymentID: c.ID, Reason: c.Body.Reason})
	})
}

type paymentResponse struct {
	ID          string         `json:"id"`
	CaseID      string         `json:"case_id"`
	EmployeeID  string         `json:"employee_id"`
	BudgetID    string         `json:"budget_id"`
	AmountFen   int64          `json:"amount_fen"`
	Status      payment.Status `json:"status"`
	BankRef     string         `json:"bank_ref,omitempty"`
	ConfirmedOn string         `json:"confirmed_on,omitempty"`
	FailReason  string         `json:"fail_reason,omitempty"`
	Version     int64          `json:"version"`
}

// getPayment: GET /v1/payments/{id}, to those who may read its case.
func (a *api) getPayment(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, a.deps.Query.GetPaymentAsOf, func(v query.PaymentView) (int64, any) {
		return v.Version, paymentResponse{
			ID: v.ID.String(), CaseID: v.CaseID.String(), EmployeeID: v.EmployeeID.String(), BudgetID: v.BudgetID.String(),
			AmountFen: v.AmountFen, Status: v.Status, BankRef: v.BankRef, ConfirmedOn: v.ConfirmedOn, FailReason: v.FailReason,
			Version: v.Version,
		}
	})
}

// maxReconcileBody bounds a bank results file.
const maxReconcileBody = 8 << 20

// rowErrorJSON is one refused row of an uploaded file; row 0 is the file.
// Column names the column at fault where one is known.
type rowErrorJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// reconciledResponse: Position is the last position written, 0 when every
// row was already applied.
type reconciledResponse struct {
	Applied  int            `json:"applied"`
	Errors   []rowErrorJSON `json:"errors"`
	Position int64          `json:"position"`
}

// reconcileError: a results file with refused rows; nothing was applied.
type reconcileError struct {
	Rows []rowErrorJSON
}

func (e *reconcileError) Error() string {
	return fmt.Sprintf("%d rows of the results file are refused; nothing was applied", len(e.Rows))
}

// reconcilePayments: POST /v1/payments/reconcile takes the bank's results
// file (text/csv, payment.ReconciliationHeader). Every row is checked
// first: it parses, its payment exists, the caller holds budgets.manage at
// its case's unit, and the payment's state allows the outcome (confirming
// again with the same bank_ref and failing a failed payment change
// nothing). Any refused row refuses the file with 422 listing every
// refused row; otherwise every row is applied in one transaction, so that
// the file is applied whole or not at all (commands.ReconcilePayments).
func (a *api) reconcilePayments(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/csv" {
		return fmt.Errorf("%w: Content-Type must be text/csv", errBadRequest)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReconcileBody))
	if err != nil {
		return uploadError(err)
	}
	rows, parseErrs := payment.ParseReconciliation(bytes.NewReader(body), 0)
	actor := callerOf(r).actor
	if len(parseErrs) > 0 {
		refused, err := a.deps.App.CheckReconciliation(r.Context(), actor, commands.ReconcilePayments{Rows: rows})
		if err != nil {
			return err
		}
		return refusedFile(append(parseErrs, refused...))
	}
	sum := sha256.Sum256(body)
	done, err := a.deps.App.ReconcilePayments(r.Context(), actor, commands.ReconcilePayments{Rows: rows, FileSHA256: hex.EncodeToString(sum[:])})
	var refused *commands.RefusedRowsError
	if errors.As(err, &refused) {
		return refusedFile(refused.Rows)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reconciledResponse{Applied: done.Applied, Errors: []rowErrorJSON{}, Position: done.Position})
	return nil
}

// refusedFile is the refusal of a results file for rows, in row order
// (row 0, the file itself, first).
func refusedFile(rows []payment.RowError) error {
	out := make([]rowErrorJSON, len(rows))
	for i, e := range rows {
		out[i] = rowErrorJSON{Row: e.Row, Message: e.Message}
	}
	slices.SortStableFunc(out, func(x, y rowErrorJSON) int { return cmp.Compare(x.Row, y.Row) })
	return &reconcileError{Rows: out}
}

// rowsOf returns the refused rows err carries, if any.
func rowsOf(err error) ([]rowErrorJSON, bool) {
	var re *reconcileError
	if errors.As(err, &re) {
		return re.Rows, true
	}
	return importRowsOf(err)
}

// isRefusedFile reports whether err refuses rows of a file.
func isRefusedFile(err error) bool {
	_, ok := rowsOf(err)
	return ok
}
