package query

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/payment"
)

// PaymentRow is one payment as the read model has it.
type PaymentRow struct {
	PaymentID          uuid.UUID
	CaseID             uuid.UUID
	EmployeeID         uuid.UUID
	UnitID             uuid.UUID
	BudgetID           uuid.UUID
	AmountFen          int64
	Status             payment.Status
	BankRef            string
	ConfirmedOn        string
	FailReason         string
	InstructedAt       time.Time
	InstructedPosition int64
	UpdatedPosition    int64
}

// PaymentFilter selects payments. Zero fields do not filter, except
// Within, where nil means no bound and an empty non-nil slice means
// nothing. Within bounds the payments to the subtrees of these units (the
// units themselves and everything below them, as the read model knows the
// organisation), by the unit of each payment's case.
type PaymentFilter struct {
	Within     []uuid.UUID
	Status     payment.Status
	CaseID     uuid.UUID
	EmployeeID uuid.UUID
	BudgetID   uuid.UUID
	Page
}

// ErrTooLarge refuses an answer larger than one answer may be.
var ErrTooLarge = errors.New("too large for one answer")

// MaxExportRows bounds a bank file: as many payments as one results file
// may answer (payment.DefaultMaxRows), so that every exported payment can
// be reconciled from one file.
const MaxExportRows = payment.DefaultMaxRows

// ExportPayments returns the rows of the bank file for unit's subtree:
// every payment that waits for the bank, in the order instructed, with
// the payee's bank account. It needs budgets.manage at the unit. Which
// payments are due comes from the payments read model; what each row
// says is read from the event store (ExportDue). More
// than MaxExportRows due payments refuse the file with ErrTooLarge.
func (s *Service) ExportPayments(ctx context.Context, actor uow.Actor, unit uuid.UUID) ([]payment.ExportRow, error) {
	due := func(ctx context.Context) ([]uuid.UUID, error) {
		var ids []uuid.UUID
		f := PaymentFilter{Within: []uuid.UUID{unit}, Status: payment.StatusInstructed, Page: Page{Limit: MaxLimit}}
		for {
			page, next, err := s.models.Payments(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, p := range page {
				ids = append(ids, p.PaymentID)
			}
			if len(ids) > MaxExportRows {
				return nil, fmt.Errorf("%w: more than %d payments wait under this unit; export the units below it one by one",
					ErrTooLarge, MaxExportRows)
			}
			if next == 0 {
				return ids, nil
			}
			f.After = next
		}
	}
	return s.ExportDue(ctx, actor, unit, due)
}
