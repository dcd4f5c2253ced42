package query

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// TrailFilter asks for a page of one subject's money trail: Subject is
// "<kind>:<id>" (case, payment, budget or employee); rows at positions
// after Page.After, up to AsOf (the zero AsOf: now). Whole asks for every
// row from Page.After on, for a download: one read, at most
// MaxTrailDownload rows (more is ErrTooLarge).
type TrailFilter struct {
	Subject string
	AsOf    uow.AsOf
	Whole   bool
	Page
}

// MaxTrailDownload bounds a trail downloaded whole.
const MaxTrailDownload = 200_000

// TrailActor is who caused an event, as it was then.
type TrailActor struct {
	AccountID, Name, PositionID, UnitID string
}

// BudgetFigures are a budget's figures after an event of its trail.
type BudgetFigures struct {
	AllocatedFen, ReservedFen, SpentFen, AvailableFen int64
}

// TrailRow is one event of a money trail.
type TrailRow struct {
	Position               int64
	Stream, Type           string
	OccurredAt, RecordedAt time.Time
	Actor                  TrailActor
	AmountFen              *int64 // nil when the event names no amount
	Documents              []string
	LeafHash               string // hex; the event's leaf in the audit log
	Budget                 *BudgetFigures
}

// TypeTrailRead is the event that records a read of a money trail: every
// trail read is on the record (who read whose money, when).
const TypeTrailRead = "audit.trail_read"

// trailReadStream is where an account's trail reads are recorded.
func trailReadStream(account uuid.UUID) string { return "trail-reads-" + account.String() }

// TrailRead is the payload of audit.trail_read.
type TrailRead struct {
	Subject string `json:"subject"`
	AsOf    string `json:"as_of,omitempty"`
}

// CaseTrail returns a page of case id's money trail to whoever may read
// the case, and records the read.
func (s *Service) CaseTrail(ctx context.Context, actor uow.Actor, id uuid.UUID, f TrailFilter) ([]TrailRow, int64, error) {
	return s.trailOf(ctx, actor, "case:"+id.String(), f, func(w *uow.Work) error {
		_, err := s.readableCase(ctx, w, actor, id)
		return err
	})
}

// PaymentTrail returns a page of payment id's money trail, from the
// decisions that allowed it, to whoever may read its case, and records
// the read.
func (s *Service) PaymentTrail(ctx context.Context, actor uow.Actor, id uuid.UUID, f TrailFilter) ([]TrailRow, int64, error) {
	return s.trailOf(ctx, actor, "payment:"+id.String(), f, func(w *uow.Work) error {
		p, err := uow.LoadPayment(ctx, w, id)
		if err != nil {
			return err
		}
		_, err = s.readableCase(ctx, w, actor, p.CaseID())
		return err
	})
}

// BudgetTrail returns a page of budget id's money trail, with its running
// figures, to holders of budgets.manage, audit.read or stats.read at its
// unit, and records the read.
func (s *Service) BudgetTrail(ctx context.Context, actor uow.Actor, id uuid.UUID, f TrailFilter) ([]TrailRow, int64, error) {
	return s.trailOf(ctx, actor, "budget:"+id.String(), f, func(w *uow.Work) error {
		_, unit, err := uow.LoadBudget(ctx, w, id)
		if err != nil {
			return err
		}
		return s.gate.AuthorizeAny(ctx, w, actor, unit, access.BudgetReadPermissions()...)
	})
}

// EmployeeTrail returns a page of employee id's money trail (all their
// cases, payments and the annual caps used) to the employee's own account
// and to holders of audit.read at their unit, and records the read.
func (s *Service) EmployeeTrail(ctx context.Context, actor uow.Actor, id uuid.UUID, f TrailFilter) ([]TrailRow, int64, error) {
	return s.trailOf(ctx, actor, "employee:"+id.String(), f, func(w *uow.Work) error {
		_, unit, err := uow.LoadAt(ctx, w, id, uow.LoadEmployee)
		if err != nil {
			return err
		}
		if !actor.Bootstrap {
			account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
			if err != nil {
				return err
			}
			if account.IsEmployee(id) {
				return nil
			}
		}
		_, err = s.gate.Authorize(ctx, w, actor, access.PermAuditRead, unit)
		return err
	})
}

// trailOf returns a page of subject's trail, recording the read, once may,
// run in a unit of work of its own, finds that actor may read it.
func (s *Service) trailOf(ctx context.Context, actor uow.Actor, subject string, f TrailFilter, may func(*uow.Work) error) ([]TrailRow, int64, error) {
	if err := may(uow.NewWork(s.store)); err != nil {
		return nil, 0, err
	}
	return s.trail(ctx, actor, subject, f)
}

// trail records the read, then reads the page.
func (s *Service) trail(ctx context.Context, actor uow.Actor, subject string, f TrailFilter) ([]TrailRow, int64, error) {
	f.Subject = subject
	read := TrailRead{Subject: subject}
	switch {
	case f.AsOf.Position > 0:
		read.AsOf = fmt.Sprintf("position:%d", f.AsOf.Position)
	case !f.AsOf.Time.IsZero():
		read.AsOf = f.AsOf.Time.UTC().Format(time.RFC3339Nano)
	}
	e, err := event.New(TypeTrailRead, read)
	if err != nil {
		return nil, 0, err
	}
	e.Metadata = event.Metadata{ActorAccountID: actor.AccountID.String(), CommandID: actor.CommandID,
		CorrelationID: actor.CorrelationID, OccurredAt: s.clock.Now(), SchemaVersion: 1}
	if _, err := s.store.Append(ctx, trailReadStream(actor.AccountID), event.Any, e); err != nil {
		return nil, 0, fmt.Errorf("record the trail read: %w", err)
	}
	if !f.Whole {
		return s.models.Trail(ctx, f)
	}
	var all []TrailRow
	f.Limit = MaxLimit
	for {
		rows, next, err := s.models.Trail(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, rows...)
		if len(all) > MaxTrailDownload {
			return nil, 0, fmt.Errorf("%w: a trail of more than %d entries; page it, or download it as of earlier moments", ErrTooLarge, MaxTrailDownload)
		}
		if next == 0 {
			return all, 0, nil
		}
		f.After = next
	}
}
