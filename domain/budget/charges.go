package budget

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	agg "aidtrail/domain/internal/aggregate"
)

// Event types of money charged straight to a budget, without a case: a
// condolence visit's cash and goods. They are stored; never rename them.
const (
	TypeCharged  = "budget.charged"
	TypeRefunded = "budget.refunded"
)

// Charged is the payload of budget.charged: AmountFen spent at once on the
// visit, with no reservation before it (the visit has happened; the money
// was handed over on the day).
type Charged struct {
	VisitID   uuid.UUID `json:"visit_id"`
	AmountFen int64     `json:"amount_fen"`
}

// Refunded is the payload of budget.refunded: AmountFen of what the visit
// was charged returned to what is available, because a correction of the
// visit lowered its total.
type Refunded struct {
	VisitID   uuid.UUID `json:"visit_id"`
	AmountFen int64     `json:"amount_fen"`
	Reason    string    `json:"reason"`
}

// ChargedFor returns the fen the budget holds spent on visitID: its
// charges less its refunds, 0 for a visit it does not know.
func (b *Budget) ChargedFor(visitID uuid.UUID) int64 { return b.s.chargedFor[visitID] }

// Charge records budget.charged: amountFen of visitID's money is spent
// from the budget at once, under the same rule as a reservation — it may
// not take reserved + spent above allocated. A visit charged before gets
// the amount added (a correction that raised its total). Errors:
// *fault.ValidationError on visit_id or amount_fen, *ExceededError when
// the amount is above Available.
func (b *Budget) Charge(visitID uuid.UUID, amountFen int64) error {
	if err := b.checkClaim("visit_id", visitID, amountFen); err != nil {
		return err
	}
	return agg.Record(&b.Root, b.apply, TypeCharged, Charged{VisitID: visitID, AmountFen: amountFen})
}

// Refund records budget.refunded: amountFen of what visitID was charged
// goes back to Available, for reason (1..500 characters). Errors:
// *fault.ValidationError, and ErrNotCharged when the visit's charges less
// its refunds are below the amount.
func (b *Budget) Refund(visitID uuid.UUID, amountFen int64, reason string) error {
	reason, err := checkReturn("visit_id", visitID, amountFen, reason)
	if err != nil {
		return err
	}
	if have := b.s.chargedFor[visitID]; amountFen > have {
		return fmt.Errorf("%w: visit %s holds %d fen, %d fen to refund", ErrNotCharged, visitID, have, amountFen)
	}
	return agg.Record(&b.Root, b.apply, TypeRefunded, Refunded{VisitID: visitID, AmountFen: amountFen, Reason: reason})
}

// applyCharge applies budget.charged and budget.refunded, checking what
// replay must: a charge within what is available, a refund within what the
// visit holds.
func (s *state) applyCharge(typ string, data json.RawMessage) error {
	// Refunded has Charged's members and a reason, so it reads both.
	return agg.On(data, func(p Refunded) error {
		if err := errors.Join(nonNil("visit_id", p.VisitID), positive(p.AmountFen)); err != nil {
			return err
		}
		if s.chargedFor == nil {
			s.chargedFor = map[uuid.UUID]int64{}
		}
		if typ == TypeCharged {
			if p.AmountFen > s.allocated-s.reserved-s.spent {
				return fmt.Errorf("charging %d fen would exceed the allocation", p.AmountFen)
			}
			s.spent += p.AmountFen
			s.chargedFor[p.VisitID] += p.AmountFen
			return nil
		}
		if p.AmountFen > s.chargedFor[p.VisitID] {
			return fmt.Errorf("refunding %d fen, visit %s holds %d", p.AmountFen, p.VisitID, s.chargedFor[p.VisitID])
		}
		s.spent -= p.AmountFen
		if s.chargedFor[p.VisitID] -= p.AmountFen; s.chargedFor[p.VisitID] == 0 {
			delete(s.chargedFor, p.VisitID)
		}
		return nil
	})
}
