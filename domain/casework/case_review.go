package casework

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
)

// SubmitParams is what the command layer resolved for a submission: the
// standard's current version and the most the case may be paid under it
// and the caps at this moment, the governing flow (see Nearest) with its
// full step list, and the document kinds the standard requires.
type SubmitParams struct {
	StandardVersion   int
	MaxPayableFen     int64
	FlowUnitID        uuid.UUID
	FlowVersion       int
	Steps             []FlowStep
	RequiredDocuments []string
}

// Submit records case.submitted for a draft: the case goes to review under
// the given standard version and flow, which it keeps for life (invariant
// 8). Only steps whose min_amount_fen is at most the requested amount are
// kept, in order. Errors: fault.ErrInvalidState unless a draft (a returned case
// uses Resubmit); *MissingDocumentsError naming every required kind the
// case lacks; *fault.ValidationError for a version below 1, a maximum below 1
// fen, a nil flow unit, an invalid step list, or no step applying.
func (c *Case) Submit(p SubmitParams) error {
	if !c.in(StatusDraft) {
		return c.notAllowed("submit")
	}
	switch {
	case p.StandardVersion < 1:
		return invalid("standard_version", "must be 1 or more")
	case p.MaxPayableFen < 1 || p.MaxPayableFen > MaxAmountFen:
		return invalid("max_payable_fen", "nothing is payable under the standard")
	case p.FlowUnitID == uuid.Nil:
		return invalid("flow_unit_id", "is required")
	case p.FlowVersion < 1:
		return invalid("flow_version", "must be 1 or more")
	}
	flow, err := checkFlowSteps(p.Steps)
	if err != nil {
		return err
	}
	var missing []string
	for _, kind := range p.RequiredDocuments {
		has := slices.ContainsFunc(c.s.documents, func(d Document) bool { return d.Kind == kind })
		if !has && !slices.Contains(missing, kind) {
			missing = append(missing, kind)
		}
	}
	if len(missing) > 0 {
		return &MissingDocumentsError{Kinds: missing}
	}
	amount := c.s.o.RequestedFen
	var steps []CaseStep
	for _, s := range flow {
		if amount >= s.MinAmountFen {
			steps = append(steps, CaseStep{Name: s.Name, AssigneeAccountID: s.AssigneeAccountID})
		}
	}
	if len(steps) == 0 {
		return invalid("steps", "no step of the flow applies to %d fen", amount)
	}
	return agg.Record(&c.Root, c.apply, TypeCaseSubmitted, CaseSubmitted{
		StandardVersion: p.StandardVersion, MaxPayableFen: p.MaxPayableFen, AmountFen: amount,
		FlowUnitID: p.FlowUnitID, FlowVersion: p.FlowVersion, Steps: steps,
	})
}

// Resubmit records case.submitted for a returned case: the first
// submission's standard version, maximum, amount and flow again, the steps
// with their current assignees, every decision cleared, review restarting
// at the first step. fault.ErrInvalidState unless returned.
func (c *Case) Resubmit() error {
	if !c.in(StatusReturned) || c.s.first == nil {
		return c.notAllowed("resubmit")
	}
	p := *c.s.first
	p.Steps = make([]CaseStep, len(c.s.steps))
	for i, s := range c.s.steps {
		p.Steps[i] = CaseStep{Name: s.name, AssigneeAccountID: s.assignee}
	}
	return agg.Record(&c.Root, c.apply, TypeCaseSubmitted, p)
}

// Decision is one approver's decision at one step. AmountFen is the amount
// approved (approve only); Reason is required to reject or return.
type Decision struct {
	Step      string
	Kind      DecisionKind
	AmountFen int64
	Reason    string
	By        uuid.UUID
}

// Decide records case.step_decided at the step waiting in review, decided
// at now, with what follows from it in the same call: case.approved when
// the last step approves (at that step's amount), case.rejected or
// case.returned.
//
// Errors, in the order checked: fault.ErrInvalidState unless in review;
// *fault.ValidationError for a nil actor, a zero time or an unknown kind;
// ErrNotCurrentStep unless Step is the first undecided step;
// *SegregationError if By opened the case, is the employee's own account,
// or decided another step of this case (in any round); ErrNotAssignee if By
// is not the step's assignee; *fault.ValidationError on amount_fen for an
// approval outside 1..the current amount (each step may lower the amount,
// never raise it) or above the payable maximum, and on reason when a
// rejection or return gives none.
func (c *Case) Decide(d Decision, now time.Time) error {
	if !c.in(StatusInReview) {
		return c.notAllowed("decide")
	}
	switch {
	case d.By == uuid.Nil:
		return invalid("decided_by_account_id", "is required")
	case now.IsZero():
		return invalid("decided_at", "is required")
	case d.Kind != Approve && d.Kind != Reject && d.Kind != Return:
		return invalid("decision", "must be approve, reject or return")
	case c.s.current >= len(c.s.steps) || c.s.steps[c.s.current].name != d.Step:
		return stateErr(ErrNotCurrentStep, "step %q", d.Step)
	}
	step := c.s.steps[c.s.current]
	if err := c.segregated(d.By, step.name); err != nil {
		return err
	}
	if d.By != step.assignee {
		return fmt.Errorf("%w: step %q is assigned to %s", ErrNotAssignee, step.name, step.assignee)
	}
	reason, err := cleanReason(d.Reason, d.Kind != Approve)
	if err != nil {
		return err
	}
	p := CaseStepDecided{Step: step.name, Decision: d.Kind, Reason: reason, DecidedByAccountID: d.By, DecidedAt: now.UTC()}
	if d.Kind == Approve {
		switch {
		case d.AmountFen < 1 || d.AmountFen > c.s.amount:
			return invalid("amount_fen", "must be 1 to %d fen: a step may lower the amount, never raise it", c.s.amount)
		case d.AmountFen > c.s.first.MaxPayableFen:
			return invalid("amount_fen", "must not exceed the %d fen payable under the standard", c.s.first.MaxPayableFen)
		}
		p.AmountFen = d.AmountFen
	}
	if err := agg.Record(&c.Root, c.apply, TypeCaseStepDecided, p); err != nil {
		return err
	}
	switch {
	case d.Kind == Reject:
		return agg.Record(&c.Root, c.apply, TypeCaseRejected, CaseRejected{Step: step.name, Reason: reason})
	case d.Kind == Return:
		return agg.Record(&c.Root, c.apply, TypeCaseReturned, CaseReturned{Step: step.name, Reason: reason})
	case c.s.current == len(c.s.steps):
		return agg.Record(&c.Root, c.apply, TypeCaseApproved, CaseApproved{AmountFen: c.s.amount})
	}
	return nil
}

// segregated refuses account acting on step when it opened the case, is
// the employee's own account, or decided another step of the case.
func (c *Case) segregated(account uuid.UUID, step string) error {
	rule := ""
	switch {
	case account == c.s.o.OpenedByAccountID:
		rule = RuleOpener
	case c.s.o.EmployeeAccountID != nil && account == *c.s.o.EmployeeAccountID:
		rule = RuleApplicant
	default:
		if other, ok := c.s.decided[account]; ok && other != step {
			rule = RuleTwoSteps
		}
	}
	if rule != "" {
		return &SegregationError{Account: account, Step: step, Rule: rule}
	}
	return nil
}

// ReassignStep records case.step_reassigned: step, held by from, passes to
// to (a hand-over when from's position is vacated). Allowed in review and
// when returned, for any step: a decided step keeps its decision and who
// made it, and to decides it if a return makes it decide again.
// Errors: fault.ErrInvalidState in other statuses;
// ErrInconsistent if the case has no such step or from does not hold it;
// *fault.ValidationError for a nil or unchanged to or a bad reason;
// *SegregationError if to opened the case, is the employee's own account,
// holds another step of the case or decided one.
func (c *Case) ReassignStep(step string, from, to uuid.UUID, reason string) error {
	if !c.in(StatusInReview, StatusReturned) {
		return c.notAllowed("reassign a step")
	}
	i := slices.IndexFunc(c.s.steps, func(s stepState) bool { return s.name == step })
	switch {
	case i < 0:
		return stateErr(ErrInconsistent, "case has no step %q", step)
	case c.s.steps[i].assignee != from:
		return stateErr(ErrInconsistent, "step %q is not held by %s", step, from)
	case to == uuid.Nil:
		return invalid("to_account_id", "is required")
	case to == from:
		return invalid("to_account_id", "already holds the step")
	}
	reason, err := cleanReason(reason, false)
	if err != nil {
		return err
	}
	if err := c.segregated(to, step); err != nil {
		return err
	}
	if slices.ContainsFunc(c.s.steps, func(s stepState) bool { return s.assignee == to }) {
		return &SegregationError{Account: to, Step: step, Rule: RuleTwoSteps}
	}
	return agg.Record(&c.Root, c.apply, TypeCaseStepReassigned, CaseStepReassigned{Step: step, FromAccountID: from, ToAccountID: to, Reason: reason})
}

// Withdraw records case.withdrawn: the applicant (or staff for them) gives
// up a case that is not decided yet. fault.ErrInvalidState unless draft, in
// review or returned; *fault.ValidationError for a nil actor or a bad reason.
// Who may withdraw is the command layer's decision.
func (c *Case) Withdraw(by uuid.UUID, reason string) error {
	if !c.in(StatusDraft, StatusInReview, StatusReturned) {
		return c.notAllowed("withdraw")
	}
	if by == uuid.Nil {
		return invalid("by_account_id", "is required")
	}
	reason, err := cleanReason(reason, false)
	if err != nil {
		return err
	}
	return agg.Record(&c.Root, c.apply, TypeCaseWithdrawn, CaseWithdrawn{Reason: reason, ByAccountID: by})
}

// Close records case.closed, ending the case. Allowed when paid, rejected
// or withdrawn, and when approved with no payment outstanding (the rest of
// the approved amount is then never paid; a reason is required).
// fault.ErrInvalidState otherwise.
func (c *Case) Close(reason string) error {
	switch {
	case !c.in(StatusPaid, StatusRejected, StatusWithdrawn, StatusApproved):
		return c.notAllowed("close")
	case c.s.status == StatusApproved && len(c.s.pending) > 0:
		return stateErr(fault.ErrInvalidState, "cannot close: %d payment(s) outstanding", len(c.s.pending))
	}
	reason, err := cleanReason(reason, c.s.status == StatusApproved)
	if err != nil {
		return err
	}
	return agg.Record(&c.Root, c.apply, TypeCaseClosed, CaseClosed{Reason: reason})
}

// StepView is a step of the current round as the API shows it. Decision,
// DecidedBy and DecidedAt are zero while the step is undecided.
type StepView struct {
	Name      string
	Assignee  uuid.UUID
	Decision  DecisionKind
	DecidedBy uuid.UUID
	DecidedAt time.Time
	AmountFen int64  // approved at this step; 0 unless approved
	Reason    string // given with the decision; why a case was returned or rejected
}

// Steps returns the steps of the current round in order, empty before the
// first submission. A resubmission starts a new round.
func (c *Case) Steps() []StepView {
	views := make([]StepView, len(c.s.steps))
	for i, s := range c.s.steps {
		views[i] = StepView{Name: s.name, Assignee: s.assignee, Decision: s.decision, DecidedBy: s.decidedBy, DecidedAt: s.decidedAt,
			AmountFen: s.amountFen, Reason: s.reason}
	}
	return views
}

// OpenStep is a step waiting for its assignee. Blocked is true when the
// assignee may not decide it (they opened the case, are the applicant, or
// decided another step): it waits for a ReassignStep.
type OpenStep struct {
	Name     string
	Assignee uuid.UUID
	Blocked  bool
}

// OpenSteps returns the step waiting for a decision: one while in review,
// none otherwise. It feeds inboxes and hand-overs.
func (c *Case) OpenSteps() []OpenStep {
	if c.s.status != StatusInReview || c.s.current >= len(c.s.steps) {
		return nil
	}
	s := c.s.steps[c.s.current]
	return []OpenStep{{Name: s.name, Assignee: s.assignee, Blocked: c.segregated(s.assignee, s.name) != nil}}
}

// HeldBy returns the names of the steps account holds that it may still
// have to decide: every step while the case is in review or returned, the
// decided ones included, because a return makes every step decide again.
// A hand-over reassigns each of them.
func (c *Case) HeldBy(account uuid.UUID) []string {
	var names []string
	open := c.s.status == StatusReturned || c.s.status == StatusInReview
	for _, s := range c.s.steps {
		if open && s.assignee == account {
			names = append(names, s.name)
		}
	}
	return names
}
