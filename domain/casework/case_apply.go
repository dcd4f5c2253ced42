package casework

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// LoadCase rebuilds case id from its whole stream, in order from version 1.
// An empty history is event.ErrNotFound; an event it cannot apply, of an
// unknown type included, is a *fault.HistoryError (fault.ErrHistory). Replaying checks
// only the structure the state needs (the step decided is the one waiting,
// a payment confirmed was instructed, a resubmission keeps the first
// submission's terms), not today's business rules: history is fact.
func LoadCase(id uuid.UUID, history []event.Recorded) (*Case, error) {
	c := &Case{id: id, Root: agg.OpenedBy(TypeCaseOpened)}
	return agg.Load(c, CaseStream(id), history, c.apply)
}

// apply changes the state by one event. It is the only code that writes the
// state, for recorded and replayed events alike, and it changes nothing
// when it fails: every check comes before the first write.
func (c *Case) apply(typ string, data json.RawMessage) error {
	s := &c.s
	switch typ {
	case TypeCaseOpened:
		return agg.On(data, func(p CaseOpened) error {
			if p.CaseID != c.id {
				return fmt.Errorf("case_id %s is not the stream's case", p.CaseID)
			}
			c.s = caseState{o: p, status: StatusDraft, amount: p.RequestedFen,
				decided: map[uuid.UUID]string{}, pending: map[uuid.UUID]int64{}, settled: map[uuid.UUID]bool{}}
			return nil
		})
	case TypeCaseDocumentAdded:
		return agg.On(data, func(p CaseDocumentAdded) error { s.documents = append(s.documents, p); return nil })
	case TypeCaseSubmitted:
		return agg.On(data, c.applySubmitted)
	case TypeCaseStepDecided:
		return agg.On(data, c.applyDecided)
	case TypeCaseStepReassigned:
		return agg.On(data, func(p CaseStepReassigned) error {
			for i := range s.steps {
				if s.steps[i].name == p.Step && s.steps[i].assignee == p.FromAccountID && p.ToAccountID != uuid.Nil {
					s.steps[i].assignee = p.ToAccountID
					return nil
				}
			}
			return fmt.Errorf("no step %q held by %s", p.Step, p.FromAccountID)
		})
	case TypeCaseReturned, TypeCaseRejected:
		// Both payloads are {step, reason}.
		return agg.On(data, func(CaseReturned) error {
			s.status = map[string]Status{TypeCaseReturned: StatusReturned, TypeCaseRejected: StatusRejected}[typ]
			return nil
		})
	case TypeCaseApproved:
		return agg.On(data, func(p CaseApproved) error {
			if p.AmountFen < 1 || p.AmountFen > MaxAmountFen {
				return fmt.Errorf("approved amount %d out of range", p.AmountFen)
			}
			s.status, s.approved = StatusApproved, p.AmountFen
			return nil
		})
	case TypeCaseWithdrawn:
		return agg.On(data, func(CaseWithdrawn) error { s.status = StatusWithdrawn; return nil })
	case TypeCasePaymentInstructed:
		return agg.On(data, func(p CasePaymentInstructed) error {
			if p.PaymentID == uuid.Nil || s.settled[p.PaymentID] || s.pending[p.PaymentID] != 0 || p.AmountFen < 1 || p.AmountFen > MaxAmountFen {
				return fmt.Errorf("payment %s: nil, reused or amount %d out of range", p.PaymentID, p.AmountFen)
			}
			s.pending[p.PaymentID] = p.AmountFen
			return nil
		})
	case TypeCasePaymentConfirmed, TypeCasePaymentFailed:
		// Confirmed has the same fields as failed but the reason.
		return agg.On(data, func(p CasePaymentFailed) error {
			amount, ok := s.pending[p.PaymentID]
			if !ok || amount != p.AmountFen {
				return fmt.Errorf("payment %s of %d fen is not outstanding", p.PaymentID, p.AmountFen)
			}
			delete(s.pending, p.PaymentID)
			s.settled[p.PaymentID] = true
			if typ == TypeCasePaymentConfirmed {
				s.paid += amount
			}
			return nil
		})
	case TypeCasePaid:
		return agg.On(data, func(CasePaid) error { s.status = StatusPaid; return nil })
	case TypeCaseClosed:
		return agg.On(data, func(CaseClosed) error { s.status = StatusClosed; return nil })
	default:
		return agg.Unknown(typ)
	}
}

func (c *Case) applySubmitted(p CaseSubmitted) error {
	s := &c.s
	if len(p.Steps) == 0 || len(p.Steps) > MaxFlowSteps {
		return fmt.Errorf("%d steps", len(p.Steps))
	}
	if f := s.first; f != nil && (p.StandardVersion != f.StandardVersion || p.MaxPayableFen != f.MaxPayableFen ||
		p.AmountFen != f.AmountFen || p.FlowUnitID != f.FlowUnitID || p.FlowVersion != f.FlowVersion) {
		return errors.New("a resubmission changes the terms of the first submission")
	}
	steps := make([]stepState, len(p.Steps))
	for i, st := range p.Steps {
		if st.AssigneeAccountID == uuid.Nil {
			return fmt.Errorf("step %d has no assignee", i)
		}
		steps[i] = stepState{name: st.Name, assignee: st.AssigneeAccountID}
	}
	if s.first == nil {
		first := p
		first.Steps = nil
		s.first = &first
	}
	s.steps, s.current, s.amount, s.status = steps, 0, p.AmountFen, StatusInReview
	return nil
}

func (c *Case) applyDecided(p CaseStepDecided) error {
	s := &c.s
	switch {
	case s.current >= len(s.steps) || s.steps[s.current].name != p.Step:
		return fmt.Errorf("step %q is not waiting for a decision", p.Step)
	case p.DecidedByAccountID == uuid.Nil:
		return errors.New("decided without decided_by_account_id")
	case p.Decision == Approve && (p.AmountFen < 1 || p.AmountFen > MaxAmountFen):
		return fmt.Errorf("approved amount %d out of range", p.AmountFen)
	case p.Decision != Approve && p.Decision != Reject && p.Decision != Return:
		return fmt.Errorf("unknown decision %q", p.Decision)
	}
	st := &s.steps[s.current]
	st.decision, st.decidedBy, st.decidedAt, st.reason = p.Decision, p.DecidedByAccountID, p.DecidedAt, p.Reason
	if p.Decision == Approve {
		st.amountFen = p.AmountFen
	}
	if _, ok := s.decided[p.DecidedByAccountID]; !ok {
		s.decided[p.DecidedByAccountID] = p.Step
	}
	s.current++
	if p.Decision == Approve {
		s.amount = p.AmountFen
	}
	return nil
}
