package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/calendar"
	"aidtrail/domain/payment"
)

// exportPayments: GET /v1/payments/export?status=instructed&unit_id= is
// the file for the bank (payment.ExportHeader): every payment of the
// unit's subtree that waits for the bank, in the order instructed, with
// the payee's bank account. It needs budgets.manage at the unit. The list
// comes from the payments read model (pass min_position to include a
// payment just instructed); what each row says is read from the event
// store (query.Service.ExportPayments). The file is recorded, with its
// SHA-256 and the payments in it, before it is sent
// (payment.BankFileExported): every payment's trail names the files it
// left in.
func (a *api) exportPayments(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	status := payment.Status(q.str("status"))
	unit := q.id("unit_id")
	switch {
	case status != "" && status != payment.StatusInstructed:
		q.fail("status", "must be instructed: only payments the bank has yet to make are exported")
	case unit == uuid.Nil:
		q.fail("unit_id", "is required: the unit whose subtree's payments are exported")
	}
	if err := a.ready(r, q); err != nil {
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
	// The file is evidence: recorded, with its hash and payments, before it leaves.
	sum := sha256.Sum256(file.Bytes())
	if _, err := a.deps.App.RecordBankExport(r.Context(), callerOf(r).actor, commands.RecordBankExport{
		UnitID: unit, SHA256: hex.EncodeToString(sum[:]), Rows: rows}); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="payments-%s-%s.csv"`, unit, time.Now().In(calendar.Zone).Format("20060102")))
	_, _ = w.Write(file.Bytes())
	return nil
}
