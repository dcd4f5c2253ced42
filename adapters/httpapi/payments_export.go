package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	"aidtrail/domain/payment"
)

// exportPayments: GET /v1/payments/export?status=instructed&unit_id= is
// the file for the bank (payment.ExportHeader): every payment of the
// unit's subtree that waits for the bank, in the order instructed, with
// the payee's bank account. It needs budgets.manage at the unit. The list
// comes from the payments read model (pass min_position to include a
// payment just instructed); what each row says is read from the event
// store (query.Service.ExportPayments).
func (a *api) exportPayments(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	status := payment.Status(q.str("status"))
	unit := q.id("unit_id")
	if q.err != nil {
		return q.err
	}
	switch {
	case status != "" && status != payment.StatusInstructed:
		return &fieldError{Field: "status", Reason: "must be instructed: only payments the bank has yet to make are exported"}
	case unit == uuid.Nil:
		return &fieldError{Field: "unit_id", Reason: "is required: the unit whose subtree's payments are exported"}
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	rows, err := a.deps.Query.ExportPayments(r.Context(), callerOf(r).actor, unit)
	if err != nil {
		return err
	}
	var file bytes.Buffer
	if err := payment.ExportCSV(&file, rows); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="payments-%s-%s.csv"`, unit, time.Now().In(calendar.Zone).Format("20060102")))
	_, _ = w.Write(file.Bytes())
	return nil
}
