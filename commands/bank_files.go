package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/payment"
)

// RecordBankExport records that a file for the bank was handed out: its
// SHA-256 and the payments it holds (payment.BankFileExported).
type RecordBankExport struct {
	UnitID uuid.UUID
	SHA256 string
	Rows   []payment.ExportRow
}

// RecordBankExport records the export before the file leaves, so that no
// file reaches the bank unrecorded. It needs budgets.manage at the unit,
// as the export does. The same file handed out twice is recorded twice.
func (a *App) RecordBankExport(ctx context.Context, actor Actor, cmd RecordBankExport) (Written, error) {
	if !payment.IsSHA256(cmd.SHA256) {
		return Written{}, fmt.Errorf("%w: the file's SHA-256 must be 64 lowercase hex digits", fault.ErrInvalid)
	}
	pos, err := a.attempt(ctx, actor, "RecordBankExport", nil, func(w *uow.Work) (event.Metadata, error) {
		_, meta, err := a.authorizedAt(ctx, w, actor, access.PermBudgetsManage, cmd.UnitID)
		if err != nil {
			return event.Metadata{}, err
		}
		e := payment.BankFileExported{SHA256: cmd.SHA256, UnitID: cmd.UnitID, Payments: make([]uuid.UUID, len(cmd.Rows))}
		for i, r := range cmd.Rows {
			e.Payments[i], e.TotalFen = r.PaymentID, e.TotalFen+r.AmountFen
		}
		rec, err := event.New(payment.TypeBankFileExported, e)
		if err != nil {
			return event.Metadata{}, err
		}
		w.AddIndex(payment.BankFileStream(cmd.SHA256), rec)
		return meta, nil
	})
	return Written{pos}, err
}

// bankFileReconciled queues the record of the results file whose rows
// settled payments, stamped with meta.
func bankFileReconciled(w *uow.Work, sha256 string, rows []payment.ResultRow, meta event.Metadata) error {
	e := payment.BankFileReconciled{SHA256: sha256, Payments: make([]uuid.UUID, len(rows))}
	for i, r := range rows {
		e.Payments[i] = r.PaymentID
	}
	rec, err := event.New(payment.TypeBankFileReconciled, e)
	if err != nil {
		return err
	}
	rec.Metadata = meta
	w.AddIndex(payment.BankFileStream(sha256), rec)
	return nil
}
