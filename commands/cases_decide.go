package commands

import (
	"context"
	"fmt"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/reservation"
)

// DecideCase is one approver's decision at the step waiting on them.
type DecideCase struct {
	CaseID    uuid.UUID
	Step      string
	Decision  casework.DecisionKind
	AmountFen int64
	Reason    string
	IfMatch   int64 // the case's version the caller saw; 0: any
}

// DecideCase needs cases.decide at the case's unit, and the step's
// assignment by name; segregation of duties is the case's own rule. The
// final approval reserves the approved amount in the budget of the case's
// year and the standard's budget line (the nearest unit's up the tree) and
// records it in the employee's aid ledger — all in one transaction, so a
// budget is never overspent and the annual caps hold under concurrency.
func (a *App) DecideCase(ctx context.Context, actor Actor, cmd DecideCase) (Written, error) {
	pos, err := a.attempt(ctx, actor, "DecideCase", nil, func(w *uow.Work) (event.Metadata, error) {
		c, unit, err := uow.LoadCaseAt(ctx, w, cmd.CaseID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermCasesDecide, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ifMatch(cmd.IfMatch, c.Stream(), c.Version()); err != nil {
			return event.Metadata{}, err
		}
		before := held(c)
		if err := c.Decide(casework.Decision{Step: cmd.Step, Kind: cmd.Decision, AmountFen: cmd.AmountFen,
			Reason: cmd.Reason, By: actor.AccountID}, a.clock.Now()); err != nil {
			return event.Metadata{}, err
		}
		w.Add(c.Stream(), c.Changes()...)
		if err := trackAssignments(w, c, before); err != nil {
			return event.Metadata{}, err
		}
		if c.Status() != casework.StatusApproved {
			return meta, nil
		}
		std, err := uow.LoadStandard(ctx, w, c.StandardCode())
		if err != nil {
			return event.Metadata{}, err
		}
		def, err := std.Version(c.StandardVersion())
		if err != nil {
			return event.Metadata{}, err
		}
		year := calendar.Year(a.clock.Now())
		path := append([]uuid.UUID{unit.ID()}, reversed(unit.Path())...)
		budgetID, ok, err := findBudget(ctx, w, path, year, def.BudgetLine)
		if err != nil {
			return event.Metadata{}, err
		}
		if !ok {
			return event.Metadata{}, &budget.ExceededError{Available: 0, Requested: c.ApprovedFen()}
		}
		ledger, err := loadAidLedger(ctx, w, c.EmployeeID(), year)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := ledger.approve(w, c); err != nil {
			return event.Metadata{}, err
		}
		if err := reserve(ctx, w, reservation.CaseBudgetStream(c.ID()), "the case's budget", budgetID); err != nil {
			return event.Metadata{}, err
		}
		// Last, so that the budget's lock is held for the least time.
		b, _, err := uow.LoadBudget(ctx, w, budgetID)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := b.Reserve(c.ID(), c.ApprovedFen()); err != nil {
			return event.Metadata{}, err
		}
		w.Add(b.Stream(), b.Changes()...)
		return meta, nil
	})
	return Written{pos}, err
}

// caseBudgetID returns the budget that reserved the case's approved
// amount. Only the case's link is read, not the budget: paying does not
// touch the budget, so it must not conflict with the budget's other cases.
func caseBudgetID(ctx context.Context, w *uow.Work, caseID uuid.UUID) (uuid.UUID, error) {
	owner, ok, err := reservedOwner(ctx, w, reservation.CaseBudgetStream(caseID))
	if err != nil {
		return uuid.Nil, err
	}
	if !ok {
		return uuid.Nil, fmt.Errorf("%w: case %s holds no budget reservation", fault.ErrInvalidState, caseID)
	}
	return owner, nil
}

// WithdrawCase withdraws an application before approval.
type WithdrawCase struct {
	CaseID  uuid.UUID
	Reason  string
	IfMatch int64 // the case's version the caller saw (its ETag); 0: any
}

// WithdrawCase withdraws an application before approval, by the employee
// or a caseworker with cases.file at its unit. A case that moved on from
// cmd.IfMatch is refused as a conflict and nothing is written.
func (a *App) WithdrawCase(ctx context.Context, actor Actor, cmd WithdrawCase) (Written, error) {
	caseID, reason, version := cmd.CaseID, cmd.Reason, cmd.IfMatch
	pos, err := a.attempt(ctx, actor, "WithdrawCase", nil, func(w *uow.Work) (event.Metadata, error) {
		c, _, meta, err := a.caseToFile(ctx, w, actor, caseID, version)
		if err != nil {
			return event.Metadata{}, err
		}
		before := held(c)
		if err := c.Withdraw(actor.AccountID, reason); err != nil {
			return event.Metadata{}, err
		}
		w.Add(c.Stream(), c.Changes()...)
		return meta, trackAssignments(w, c, before)
	})
	return Written{pos}, err
}
