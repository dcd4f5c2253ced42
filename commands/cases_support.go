package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

func loadCase(ctx context.Context, w *work, id uuid.UUID) (*casework.Case, error) {
	history, err := w.load(ctx, casework.CaseStream(id))
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("case %s: %w", id, ErrNotFound)
	}
	return casework.LoadCase(id, history)
}

// loadCaseAt loads a case and the unit it belongs to.
func loadCaseAt(ctx context.Context, w *work, id uuid.UUID) (*casework.Case, *org.Unit, error) {
	c, err := loadCase(ctx, w, id)
	if err != nil {
		return nil, nil, err
	}
	unit, err := loadUnit(ctx, w, c.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return c, unit, nil
}

// loadEmployeeAt loads an employee and their unit; an erased employee
// takes no new cases.
func loadEmployeeAt(ctx context.Context, w *work, id uuid.UUID) (*org.Employee, *org.Unit, error) {
	emp, err := loadEmployee(ctx, w, id)
	if err != nil {
		return nil, nil, err
	}
	if emp.Erased() {
		return nil, nil, org.ErrErased
	}
	unit, err := loadUnit(ctx, w, emp.UnitID())
	if err != nil {
		return nil, nil, err
	}
	return emp, unit, nil
}

// employeeAccount returns the employee's own account, nil when they have none.
func employeeAccount(ctx context.Context, w *work, employee uuid.UUID) (*uuid.UUID, error) {
	owner, ok, err := reservedOwner(ctx, w, reservation.EmployeeAccountStream(employee))
	if err != nil || !ok {
		return nil, err
	}
	return &owner, nil
}

// authorizeSelfOr lets the employee act on their own behalf, and anyone
// else with perm at unit; self reports which.
func (a *App) authorizeSelfOr(ctx context.Context, w *work, actor Actor, employee uuid.UUID, perm access.Permission, unit *org.Unit) (meta event.Metadata, self bool, err error) {
	if !actor.Bootstrap {
		account, err := a.loadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return event.Metadata{}, false, err
		}
		if account.IsEmployee(employee) {
			w.actor = actor
			return event.Metadata{
				ActorAccountID: actor.AccountID.String(), ActorName: account.Name(), ActorUnitID: unit.ID().String(),
				CommandID: actor.CommandID, CorrelationID: actor.CorrelationID,
				OccurredAt: a.clock.Now(), SchemaVersion: 1,
			}, true, nil
		}
	}
	meta, err = a.authorize(ctx, w, actor, perm, unit)
	return meta, false, err
}

// aidLedger is an employee's aid ledger for one reporting year
// (casework.AidLedgerStream), as loaded in a command's work.
type aidLedger struct {
	stream    string
	approvals []casework.AidApproved
}

func loadAidLedger(ctx context.Context, w *work, employee uuid.UUID, year int) (*aidLedger, error) {
	l := &aidLedger{stream: casework.AidLedgerStream(employee, year)}
	history, err := w.load(ctx, l.stream)
	if err != nil {
		return nil, err
	}
	for _, e := range history {
		var a casework.AidApproved
		if err := event.Decode(e, &a); err != nil {
			return nil, err
		}
		l.approvals = append(l.approvals, a)
	}
	return l, nil
}

// received sums what the employee was granted under a standard this year.
func (l *aidLedger) received(code string) (fen int64, times int) {
	for _, a := range l.approvals {
		if a.StandardCode == code {
			fen += a.AmountFen
			times++
		}
	}
	return fen, times
}

func (l *aidLedger) approve(w *work, c *casework.Case) error {
	e, err := event.New(casework.TypeAidApproved, casework.AidApproved{CaseID: c.ID(), StandardCode: c.StandardCode(), AmountFen: c.ApprovedFen()})
	if err != nil {
		return err
	}
	w.add(l.stream, e)
	return nil
}
