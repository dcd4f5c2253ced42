package query

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
)

// ExportDue returns the rows of the bank's payment file for the
// payments due lists, in its order: each payment's case, payee and
// amount, and the payee's bank account as the payment was instructed with
// it, opened for this file only. It needs budgets.manage at unit; a
// refusal is recorded. due lists the payments of unit's subtree that wait
// for the bank, as a read model knows them; it is called once, after the
// actor is authorised, and its error is returned as is.
//
// A read model may lag: what the file says is read from the event store.
// A payment the bank has answered since, or whose case is no longer in
// unit's subtree, is left out, as is an unknown id. A payment whose bank
// account cannot be given — none was recorded when it was instructed, or
// the payee's personal data has been erased since — refuses the whole
// file with an error matching fault.ErrInvalidState that names it: a
// bank file must not leave out, unnoticed, a payment that is due; fail
// that payment first.
func (s *Service) ExportDue(ctx context.Context, actor uow.Actor, unitID uuid.UUID, due func(context.Context) ([]uuid.UUID, error)) ([]payment.ExportRow, error) {
	w := uow.NewWork(s.store)
	unit, err := uow.LoadUnit(ctx, w, unitID)
	if err != nil {
		return nil, err
	}
	if _, err := s.gate.Authorize(ctx, w, actor, access.PermBudgetsManage, unit); err != nil {
		return nil, err
	}
	ids, err := due(ctx)
	if err != nil {
		return nil, err
	}
	units := map[uuid.UUID]*org.Unit{unit.ID(): unit}
	rows := make([]payment.ExportRow, 0, len(ids))
	for _, id := range ids {
		p, err := uow.LoadPayment(ctx, w, id)
		if errors.Is(err, uow.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if p.Status() != payment.StatusInstructed {
			continue
		}
		within, err := caseWithin(ctx, w, p.CaseID(), unitID, units)
		if err != nil {
			return nil, err
		}
		if !within {
			continue
		}
		account, err := s.payeeAccount(ctx, p)
		if err != nil {
			return nil, err
		}
		rows = append(rows, payment.ExportRow{PaymentID: p.ID(), CaseID: p.CaseID(), EmployeeID: p.EmployeeID(),
			BankAccount: account, AmountFen: p.AmountFen()})
	}
	return rows, nil
}

// caseWithin reports whether case id belongs to root's subtree as the
// organisation stands now; units caches the units read.
func caseWithin(ctx context.Context, w *uow.Work, id, root uuid.UUID, units map[uuid.UUID]*org.Unit) (bool, error) {
	c, err := uow.LoadCase(ctx, w, id)
	if err != nil {
		return false, err
	}
	u, ok := units[c.UnitID()]
	if !ok {
		if u, err = uow.LoadUnit(ctx, w, c.UnitID()); err != nil {
			return false, err
		}
		units[u.ID()] = u
	}
	return u.ID() == root || slices.Contains(u.Path(), root), nil
}

// payeeAccount opens the bank account a payment was instructed with.
func (s *Service) payeeAccount(ctx context.Context, p *payment.Payment) (string, error) {
	sealed := string(p.Instruction().BankAccount)
	if sealed == "" {
		return "", fmt.Errorf("%w: payment %s: no bank account was recorded for the payee when it was instructed; fail it and instruct it again",
			fault.ErrInvalidState, p.ID())
	}
	account, err := s.keyring.Open(ctx, p.EmployeeID(), sealed)
	if errors.Is(err, uow.ErrErased) {
		return "", fmt.Errorf("%w: payment %s: the payee's personal data has been erased; fail it", fault.ErrInvalidState, p.ID())
	}
	if err != nil {
		return "", fmt.Errorf("payment %s: open the bank account: %w", p.ID(), err)
	}
	return account, nil
}
