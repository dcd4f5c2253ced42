package commands

import (
	"context"
	"errors"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/payment"
)

// Reconciled is the outcome of a bank results file: every row applied
// (rows the file had already settled count too, as they now stand as the
// bank said) and the position of the last event written, 0 when the whole
// file had been applied before.
type Reconciled struct {
	Applied int
	Written
}

// RefusedRowsError: rows of a bank results file that cannot be applied.
// Nothing of the file was applied. Rows holds one entry per refused row,
// in the file's order, each with its 1-based row number and why.
type RefusedRowsError struct {
	Rows []payment.RowError
}

func (e *RefusedRowsError) Error() string {
	return fmt.Sprintf("%d rows of the results file are refused; nothing was applied", len(e.Rows))
}

// ReconcilePayments applies the bank's results file, all rows or none.
// FileSHA256, when given, is the file's SHA-256: the file is recorded with
// the payments it settled (payment.BankFileReconciled).
type ReconcilePayments struct {
	Rows       []payment.ResultRow
	FileSHA256 string
}

// ReconcilePayments applies the bank's results file, rows as
// payment.ParseReconciliation returns them: every row is checked first
// and then all are applied in one event-store transaction, so that the
// file is applied whole or not at all — also when a payment is settled by
// someone else meanwhile, another writer changes a case of the file, or
// the process stops half-way.
//
// Each row needs budgets.manage at its case's unit, as ConfirmPayment and
// FailPayment do; a row the actor may not settle refuses the whole file
// with that *ForbiddenError (and the refusal is recorded). Any other row
// that cannot be applied — its payment unknown, settled otherwise (a
// confirmation under another bank reference, a confirmed payment failed,
// a failed one confirmed), named on an earlier row, or its values refused
// by the payment — is listed in a *RefusedRowsError. A row the payment
// already stands at (confirmed under the same reference, failed again)
// changes nothing, so a file imported twice, or by two people at once,
// settles each payment once. A confirmation moves the case's paid amount
// and spends the payment's amount from the budget that reserved it,
// exactly as ConfirmPayment does.
func (a *App) ReconcilePayments(ctx context.Context, actor Actor, cmd ReconcilePayments) (Reconciled, error) {
	rows := cmd.Rows
	if cmd.FileSHA256 != "" && !payment.IsSHA256(cmd.FileSHA256) {
		return Reconciled{}, fmt.Errorf("%w: the file's SHA-256 must be 64 lowercase hex digits", fault.ErrInvalid)
	}
	// Each row's events are stamped with the grant at its own unit as
	// they are queued; commit keeps them.
	pos, err := a.attempt(ctx, actor, "ReconcilePayments", nil, func(w *uow.Work) (event.Metadata, error) {
		refused, err := a.reconcile(ctx, w, actor, rows)
		if err != nil {
			return event.Metadata{}, err
		}
		if len(refused) > 0 {
			return event.Metadata{}, &RefusedRowsError{Rows: refused}
		}
		if cmd.FileSHA256 != "" && w.Queued() {
			if err := bankFileReconciled(w, cmd.FileSHA256, rows, w.FirstStamp()); err != nil {
				return event.Metadata{}, err
			}
		}
		return event.Metadata{}, nil
	})
	if err != nil {
		return Reconciled{}, err
	}
	return Reconciled{Applied: len(rows), Written: Written{pos}}, nil
}

// CheckReconciliation checks rows as ReconcilePayments does and writes
// nothing but a recorded refusal: it returns the rows that would be
// refused, for a file that is refused already for rows that do not parse.
func (a *App) CheckReconciliation(ctx context.Context, actor Actor, cmd ReconcilePayments) ([]payment.RowError, error) {
	rows := cmd.Rows
	return a.reconcile(ctx, uow.NewWork(a.store), actor, rows)
}

// reconcile decides every row in w, each event stamped with the metadata
// of the actor's grant at its case's unit, and returns the refused rows.
func (a *App) reconcile(ctx context.Context, w *uow.Work, actor Actor, rows []payment.ResultRow) ([]payment.RowError, error) {
	var (
		refused []payment.RowError
		seen    = make(map[uuid.UUID]int, len(rows))
		cases   = map[uuid.UUID]*reconciledCase{}
		order   []*reconciledCase
		grants  = map[uuid.UUID]event.Metadata{}
	)
	refuse := func(row payment.ResultRow, format string, args ...any) {
		refused = append(refused, payment.RowError{Row: row.Row, Message: fmt.Sprintf(format, args...)})
	}
	for _, row := range rows {
		if first, dup := seen[row.PaymentID]; dup {
			refuse(row, "payment %s appears on row %d already", row.PaymentID, first)
			continue
		}
		seen[row.PaymentID] = row.Row
		p, err := uow.LoadPayment(ctx, w, row.PaymentID)
		if errors.Is(err, ErrNotFound) {
			refuse(row, "payment %s does not exist", row.PaymentID)
			continue
		}
		if err != nil {
			return nil, err
		}
		rc, ok := cases[p.CaseID()]
		if !ok {
			if rc, err = a.reconciledCase(ctx, w, actor, p.CaseID(), grants); err != nil {
				return nil, err
			}
			cases[p.CaseID()] = rc
			order = append(order, rc)
		}
		was := p.Status()
		switch row.Status {
		case payment.StatusConfirmed:
			err = p.Confirm(row.BankRef, row.ConfirmedOn)
		case payment.StatusFailed:
			err = p.Fail(row.Reason)
		default:
			refuse(row, "status must be confirmed or failed")
			continue
		}
		switch {
		case errors.Is(err, fault.ErrInvalidState) && was == row.Status:
			refuse(row, "payment %s is %s already, under another bank_ref", row.PaymentID, was)
			continue
		case errors.Is(err, fault.ErrInvalidState):
			refuse(row, "payment %s is %s; it cannot be %s", row.PaymentID, was, row.Status)
			continue
		case errors.Is(err, fault.ErrInvalid):
			refuse(row, "payment %s: %v", row.PaymentID, err)
			continue
		case err != nil:
			return nil, err
		case len(p.Changes()) == 0:
			continue // the payment stands as the row says already
		}
		if err := a.settleRow(w, rc, p, row); err != nil {
			if errors.Is(err, casework.ErrInconsistent) {
				// The case no longer has the payment outstanding: most
				// likely it was settled between the two reads, which
				// reading the payment again tells as ErrConcurrency.
				if _, rerr := w.Load(ctx, p.Stream()); rerr != nil {
					return nil, rerr
				}
			}
			return nil, err
		}
	}
	for _, rc := range order {
		w.Add(rc.c.Stream(), stamped(rc.meta, rc.c.Changes())...)
	}
	return refused, nil
}

// reconciledCase is a case of the file, loaded once however many of its
// payments the file settles, with the actor's grant at its unit.
type reconciledCase struct {
	c    *casework.Case
	meta event.Metadata
}

// reconciledCase loads a case and authorises budgets.manage at its unit,
// once per unit (grants).
func (a *App) reconciledCase(ctx context.Context, w *uow.Work, actor Actor, id uuid.UUID, grants map[uuid.UUID]event.Metadata) (*reconciledCase, error) {
	c, err := uow.LoadCase(ctx, w, id)
	if err != nil {
		return nil, err
	}
	meta, ok := grants[c.UnitID()]
	if !ok {
		unit, err := uow.LoadUnit(ctx, w, c.UnitID())
		if err != nil {
			return nil, err
		}
		if meta, err = a.gate.Authorize(ctx, w, actor, access.PermBudgetsManage, unit); err != nil {
			return nil, err
		}
		grants[c.UnitID()] = meta
	}
	return &reconciledCase{c: c, meta: meta}, nil
}

// settleRow queues a payment's outcome with its case's and, for a
// confirmation, the budget's spending of the payment's amount.
func (a *App) settleRow(w *uow.Work, rc *reconciledCase, p *payment.Payment, row payment.ResultRow) error {
	w.Add(p.Stream(), stamped(rc.meta, p.Changes())...)
	if row.Status == payment.StatusFailed {
		return rc.c.FailPayment(p.ID(), p.FailReason())
	}
	if err := rc.c.ConfirmPayment(p.ID()); err != nil {
		return err
	}
	spent, err := budget.SpendUnread(rc.c.ID(), p.ID(), p.AmountFen())
	if err != nil {
		return err
	}
	w.AddIndex(budget.SpendingStream(p.BudgetID()), stamped(rc.meta, []event.Event{spent})...)
	return nil
}

func stamped(meta event.Metadata, events []event.Event) []event.Event {
	for i := range events {
		events[i].Metadata = meta
	}
	return events
}
