package commands

import (
	"context"
	"time"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
)

// InstructPayment pays an approved case.
type InstructPayment struct {
	CaseID    uuid.UUID
	AmountFen int64
}

// InstructPayment instructs the bank to pay an approved case, at most its
// approved amount less what is paid or already instructed (invariant 1:
// a case is never paid twice). It needs budgets.manage at the case's unit.
func (a *App) InstructPayment(ctx context.Context, actor Actor, cmd InstructPayment) (uuid.UUID, Written, error) {
	caseID, amountFen := cmd.CaseID, cmd.AmountFen
	id := uow.NewID(actor, "payment")
	pos, err := a.attempt(ctx, actor, "InstructPayment", nil, func(w *uow.Work) (event.Metadata, error) {
		c, unit, err := uow.LoadCaseAt(ctx, w, caseID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermBudgetsManage, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		emp, err := uow.LoadEmployee(ctx, w, c.EmployeeID())
		if err != nil {
			return event.Metadata{}, err
		}
		budgetID, err := caseBudgetID(ctx, w, c.ID())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := c.InstructPayment(id, amountFen); err != nil {
			return event.Metadata{}, err
		}
		p, err := payment.Instruct(id, payment.Instruction{CaseID: c.ID(), EmployeeID: emp.ID(), BudgetID: budgetID,
			AmountFen: amountFen, BankAccount: payment.Sealed(emp.Personal().BankAccount)})
		if err != nil {
			return event.Metadata{}, err
		}
		w.Add(c.Stream(), c.Changes()...)
		w.Add(p.Stream(), p.Changes()...)
		return meta, nil
	})
	return id, Written{pos}, err
}

// ConfirmPayment records that the bank paid.
type ConfirmPayment struct {
	PaymentID uuid.UUID
	BankRef   string
	On        time.Time // the bank's date of payment
}

// ConfirmPayment records the bank's confirmation: the case's paid amount
// and the budget's spending move together. Confirming again with the same
// reference changes nothing (a results file imported twice).
func (a *App) ConfirmPayment(ctx context.Context, actor Actor, cmd ConfirmPayment) (Written, error) {
	paymentID, bankRef, on := cmd.PaymentID, cmd.BankRef, cmd.On
	return a.settlePayment(ctx, actor, "ConfirmPayment", paymentID, func(w *uow.Work, p *payment.Payment) error {
		if err := p.Confirm(bankRef, on.In(calendar.Zone).Format(payment.DateLayout)); err != nil {
			return err
		}
		if len(p.Changes()) == 0 {
			return nil // already confirmed with this reference
		}
		c, err := uow.LoadCase(ctx, w, p.CaseID())
		if err != nil {
			return err
		}
		if err := c.ConfirmPayment(p.ID()); err != nil {
			return err
		}
		spent, err := budget.SpendUnread(c.ID(), p.ID(), p.AmountFen())
		if err != nil {
			return err
		}
		w.Add(c.Stream(), c.Changes()...)
		w.AddIndex(budget.SpendingStream(p.BudgetID()), spent)
		return nil
	})
}

// FailPayment records that the bank refused a payment.
type FailPayment struct {
	PaymentID uuid.UUID
	Reason    string
}

// FailPayment records the bank's refusal: the amount is free to be
// instructed again; the budget keeps its reservation for that.
func (a *App) FailPayment(ctx context.Context, actor Actor, cmd FailPayment) (Written, error) {
	paymentID, reason := cmd.PaymentID, cmd.Reason
	return a.settlePayment(ctx, actor, "FailPayment", paymentID, func(w *uow.Work, p *payment.Payment) error {
		if err := p.Fail(reason); err != nil {
			return err
		}
		if len(p.Changes()) == 0 {
			return nil
		}
		c, err := uow.LoadCase(ctx, w, p.CaseID())
		if err != nil {
			return err
		}
		if err := c.FailPayment(p.ID(), reason); err != nil {
			return err
		}
		w.Add(c.Stream(), c.Changes()...)
		return nil
	})
}

func (a *App) settlePayment(ctx context.Context, actor Actor, command string, paymentID uuid.UUID, settle func(*uow.Work, *payment.Payment) error) (Written, error) {
	pos, err := a.attempt(ctx, actor, command, nil, func(w *uow.Work) (event.Metadata, error) {
		p, err := uow.LoadPayment(ctx, w, paymentID)
		if err != nil {
			return event.Metadata{}, err
		}
		c, err := uow.LoadCase(ctx, w, p.CaseID())
		if err != nil {
			return event.Metadata{}, err
		}
		// Read the payment again: settled by another command between the
		// two reads, it would disagree with its case; this way the race is
		// a conflict, decided again on the settled payment.
		if _, err := uow.LoadPayment(ctx, w, paymentID); err != nil {
			return event.Metadata{}, err
		}
		_, meta, err := a.authorizedAt(ctx, w, actor, access.PermBudgetsManage, c.UnitID())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := settle(w, p); err != nil {
			return event.Metadata{}, err
		}
		w.Add(p.Stream(), p.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}
