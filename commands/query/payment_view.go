package query

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
)

// PaymentView is a payment as a query returns it.
type PaymentView struct {
	ID, CaseID, EmployeeID, BudgetID uuid.UUID
	AmountFen                        int64
	Status                           payment.Status
	BankRef, ConfirmedOn, FailReason string
	Version                          int64
}

// GetPayment returns a payment to staff with budgets.manage or audit.read
// at its case's unit, and to the payee's own account.
func (s *Service) GetPayment(ctx context.Context, actor uow.Actor, id uuid.UUID) (PaymentView, error) {
	return s.GetPaymentAsOf(ctx, actor, id, uow.AsOf{})
}

// GetPaymentAsOf returns the payment as it stood at the moment at, folded
// from its history up to then, to whoever may read it now (GetPayment); a
// payment not yet instructed then is uow.ErrNotFound.
func (s *Service) GetPaymentAsOf(ctx context.Context, actor uow.Actor, id uuid.UUID, at uow.AsOf) (PaymentView, error) {
	w := uow.NewWork(s.store)
	p, err := uow.LoadPayment(ctx, w, id)
	if err != nil {
		return PaymentView{}, err
	}
	if _, err := s.readableCase(ctx, w, actor, p.CaseID()); err != nil {
		return PaymentView{}, err
	}
	p, err = asItStood(ctx, w, at, p, payment.Stream(id), fmt.Sprintf("payment %s was not instructed yet then", id), func(history []event.Recorded) (*payment.Payment, error) {
		return payment.LoadPayment(id, history)
	})
	if err != nil {
		return PaymentView{}, err
	}
	return PaymentView{ID: p.ID(), CaseID: p.CaseID(), EmployeeID: p.EmployeeID(), BudgetID: p.BudgetID(),
		AmountFen: p.AmountFen(), Status: p.Status(), BankRef: p.BankRef(), ConfirmedOn: p.ConfirmedOn(),
		FailReason: p.FailReason(), Version: p.Version()}, nil
}
