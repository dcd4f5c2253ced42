package commands

import (
	"context"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/reservation"
)

// employeeAccount returns the employee's own account, nil when they have none.
func employeeAccount(ctx context.Context, w *uow.Work, employee uuid.UUID) (*uuid.UUID, error) {
	owner, ok, err := reservedOwner(ctx, w, reservation.EmployeeAccountStream(employee))
	if err != nil || !ok {
		return nil, err
	}
	return &owner, nil
}

// aidLedger is an employee's aid ledger for one reporting year
// (casework.AidLedgerStream), as loaded in a command's work.
type aidLedger struct {
	stream    string
	approvals []casework.AidApproved
}

func loadAidLedger(ctx context.Context, w *uow.Work, employee uuid.UUID, year int) (*aidLedger, error) {
	l := &aidLedger{stream: casework.AidLedgerStream(employee, year)}
	history, err := w.Load(ctx, l.stream)
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

func (l *aidLedger) approve(w *uow.Work, c *casework.Case) error {
	e, err := event.New(casework.TypeAidApproved, casework.AidApproved{CaseID: c.ID(), StandardCode: c.StandardCode(), AmountFen: c.ApprovedFen()})
	if err != nil {
		return err
	}
	w.Add(l.stream, e)
	return nil
}

// caseToFile loads a case for a change its applicant files (submit,
// withdraw, a document), with its unit: the employee's own account, or cases.file at the
// case's unit, on the version the caller saw (If-Match; 0: any).
func (a *App) caseToFile(ctx context.Context, w *uow.Work, actor Actor, caseID uuid.UUID, version int64) (*casework.Case, *org.Unit, event.Metadata, error) {
	c, unit, err := uow.LoadCaseAt(ctx, w, caseID)
	if err != nil {
		return nil, nil, event.Metadata{}, err
	}
	meta, _, err := a.gate.AuthorizeSelfOr(ctx, w, actor, c.EmployeeID(), access.PermCasesFile, unit)
	if err != nil {
		return nil, nil, event.Metadata{}, err
	}
	return c, unit, meta, ifMatch(version, c.Stream(), c.Version())
}
