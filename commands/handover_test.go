package commands_test

import (
	"errors"
	"testing"
	"time"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
)

// F13: vacating an approver's position hands their open steps to the
// successor in the same event; the old holder can no longer decide, the
// successor can.
func TestVacateHandsOpenStepsToTheSuccessor(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "postgres", 5*grantFen)
	id := f.caseAwaitingFinalApproval(t) // the second step waits on approver2
	successorID, successor := signUp(t, f.env, f.admin, f.station, "approver3", []access.Role{access.RoleApprover})
	a2 := f.approver2.AccountID
	positions := accountPositions(t, f.env, a2)
	handed, _, err := f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: a2, PositionID: positions[0].ID, SuccessorID: &successorID, Reason: "调离"})
	if err != nil {
		t.Fatal(err)
	}
	if len(handed) != 1 || handed[0].CaseID != id || handed[0].Step != "路局审批" {
		t.Fatalf("handed over %+v, want the case's second step", handed)
	}
	if err := f.approve(t, id); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("the old holder deciding after the vacate: %v, want forbidden", err)
	}
	if _, err := f.env.App.DecideCase(ctx, successor, commands.DecideCase{CaseID: id, Step: "路局审批", Decision: casework.Approve, AmountFen: grantFen}); err != nil {
		t.Fatalf("the successor deciding: %v", err)
	}
	c, err := f.env.Query.GetCase(ctx, f.admin, id)
	if err != nil || c.Status != casework.StatusApproved {
		t.Fatalf("case after the successor's approval: %+v %v", c, err)
	}
}

// The inbox lists the steps waiting for the caller now, and forgets them
// once decided.
func TestInboxShowsWhatWaits(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "sqlite", 5*grantFen)
	id := f.caseAwaitingFinalApproval(t)
	waiting, err := f.env.Query.StepsWaiting(ctx, f.approver2)
	if err != nil || len(waiting) != 1 || waiting[0].CaseID != id || waiting[0].Step != "路局审批" {
		t.Fatalf("approver2's inbox: %+v %v", waiting, err)
	}
	if mine, err := f.env.Query.StepsWaiting(ctx, f.approver1); err != nil || len(mine) != 0 {
		t.Fatalf("approver1 decided already; inbox %+v %v", mine, err)
	}
	if err := f.approve(t, id); err != nil {
		t.Fatal(err)
	}
	if after, err := f.env.Query.StepsWaiting(ctx, f.approver2); err != nil || len(after) != 0 {
		t.Fatalf("after deciding: %+v %v", after, err)
	}
}

// Reading a payment is not settling it: an auditor may read, not confirm.
func TestAuditorReadsButDoesNotSettlePayments(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "sqlite", 5*grantFen)
	pid := f.instructed(t, f.approvedCase(t))
	_, auditor := signUp(t, f.env, f.admin, f.root, "auditor", []access.Role{access.RoleAuditor})
	if _, err := f.env.Query.GetPayment(ctx, auditor, pid); err != nil {
		t.Fatalf("the auditor reading the payment: %v", err)
	}
	if _, err := f.env.App.ConfirmPayment(ctx, auditor, commands.ConfirmPayment{PaymentID: pid, BankRef: "BOC20261128007", On: time.Now()}); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("the auditor settling: %v, want forbidden", err)
	}
	if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: pid, BankRef: "BOC20261128007", On: time.Now()}); err != nil {
		t.Fatalf("the administrator settling: %v", err)
	}
}

// With no successor named, the open steps go to the unit's other
// approvers: the first who may hold each step.
func TestVacateWithoutSuccessorHandsToTheUnitsOtherApprovers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "postgres", 5*grantFen)
	id := f.caseAwaitingFinalApproval(t) // approver1 decided step one; step two waits on approver2
	a3, approver3 := signUp(t, f.env, f.admin, f.station, "approver3", []access.Role{access.RoleApprover})
	a2 := f.approver2.AccountID
	handed, _, err := f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: a2, PositionID: accountPositions(t, f.env, a2)[0].ID, Reason: "退休"})
	if err != nil {
		t.Fatal(err)
	}
	if len(handed) != 1 || handed[0].CaseID != id {
		t.Fatalf("handed over %+v, want the waiting step", handed)
	}
	c, err := f.env.Query.GetCase(ctx, f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Steps[1].Assignee; got != a3 {
		t.Fatalf("the step went to %s, want approver3 %s (approver1 decided step one)", got, a3)
	}
	if _, err := f.env.App.DecideCase(ctx, approver3, commands.DecideCase{CaseID: id, Step: "路局审批", Decision: casework.Approve, AmountFen: grantFen}); err != nil {
		t.Fatalf("approver3 deciding: %v", err)
	}
}

// A step its holder decided before leaving passes to the successor too:
// when the case is then returned and resubmitted, the successor decides it
// again, not an account without a position.
func TestVacateHandsDecidedStepsForALaterReturn(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newMoney(t, "sqlite", 5*grantFen)
	id := f.caseAwaitingFinalApproval(t) // approver1 decided the first step
	successorID, successor := signUp(t, f.env, f.admin, f.station, "approver3", []access.Role{access.RoleApprover})
	a1 := f.approver1.AccountID
	handed, _, err := f.env.App.VacatePosition(ctx, f.admin, commands.VacatePosition{AccountID: a1,
		PositionID: accountPositions(t, f.env, a1)[0].ID, SuccessorID: &successorID, Reason: "退休"})
	if err != nil {
		t.Fatal(err)
	}
	if len(handed) != 1 || handed[0].CaseID != id || handed[0].Step != "站段审核" {
		t.Fatalf("handed over %+v, want the decided first step", handed)
	}
	if _, err := f.env.App.DecideCase(ctx, f.approver2, commands.DecideCase{CaseID: id, Step: "路局审批",
		Decision: casework.Return, Reason: "请补充收入证明"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: id}); err != nil {
		t.Fatal(err)
	}
	waiting, err := f.env.Query.StepsWaiting(ctx, successor)
	if err != nil || len(waiting) != 1 || waiting[0].CaseID != id || waiting[0].Step != "站段审核" {
		t.Fatalf("the successor's inbox after the return: %+v %v", waiting, err)
	}
	if _, err := f.env.App.DecideCase(ctx, successor, commands.DecideCase{CaseID: id, Step: "站段审核",
		Decision: casework.Approve, AmountFen: grantFen}); err != nil {
		t.Fatalf("the successor deciding the returned step: %v", err)
	}
}
