package commands_test

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/payment"
	"aidtrail/internal/testkit/apptest"
)

// moneyFixture adds to the organisation two named approvers, a hardship
// standard of a fixed 5,000 yuan (annual cap high enough for many cases),
// a two-step flow at the station and a budget of budgetFen.
type moneyFixture struct {
	*orgFixture
	approver1, approver2 commands.Actor
	budgetID             uuid.UUID
}

const grantFen = 500_000 // 5,000 yuan

func newMoney(t *testing.T, kind string, budgetFen int64) *moneyFixture {
	t.Helper()
	ctx := t.Context()
	f := &moneyFixture{orgFixture: newOrg(t, kind)}
	a1, approver1 := signUp(t, f.env, f.admin, f.station, "approver1", []access.Role{access.RoleApprover})
	a2, approver2 := signUp(t, f.env, f.admin, f.station, "approver2", []access.Role{access.RoleApprover})
	f.approver1, f.approver2 = approver1, approver2
	def := catalogue.Definition{
		Code: "HARD-LIVING", Name: "困难职工生活补助", Category: catalogue.CategoryHardship, OwnerUnitID: f.root,
		AmountRule: catalogue.FixedRule(grantFen), AnnualCapFen: 1_000 * grantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.hardship", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	}
	if _, err := f.env.App.PublishStandard(ctx, f.admin, commands.PublishStandard{Definition: def}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	steps := []casework.FlowStep{{Name: "站段审核", AssigneeAccountID: a1}, {Name: "路局审批", AssigneeAccountID: a2}}
	if _, _, err := f.env.App.ConfigureFlow(ctx, f.admin, commands.ConfigureFlow{UnitID: f.station, Category: "hardship", Steps: steps}); err != nil {
		t.Fatalf("flow: %v", err)
	}
	var err error
	year := calendar.Year(time.Now())
	f.budgetID, _, err = f.env.App.AllocateBudget(ctx, f.admin, commands.AllocateBudget{UnitID: f.station, Year: year, Line: "aid.hardship", AmountFen: budgetFen})
	if err != nil {
		t.Fatalf("budget: %v", err)
	}
	return f
}

// caseAwaitingFinalApproval opens and submits a case for a new employee and
// has the first step approve it.
func (f *moneyFixture) caseAwaitingFinalApproval(t *testing.T) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	emp, _, err := register(ctx, f.env, f.caseworker, f.station)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := f.env.App.OpenCase(ctx, f.caseworker, commands.OpenCase{EmployeeID: emp, Beneficiary: casework.RelationSelf,
		StandardCode: "HARD-LIVING", Causes: []string{"illness"}, RequestedFen: grantFen, Description: "家庭收入低于当地最低生活保障"})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: id}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	if _, err := f.env.App.DecideCase(ctx, f.approver1, commands.DecideCase{CaseID: id, Step: "站段审核", Decision: casework.Approve, AmountFen: grantFen}); err != nil {
		t.Fatalf("first step: %v", err)
	}
	return id
}

func (f *moneyFixture) approve(t *testing.T, id uuid.UUID) error {
	_, err := f.env.App.DecideCase(t.Context(), f.approver2, commands.DecideCase{CaseID: id, Step: "路局审批", Decision: casework.Approve, AmountFen: grantFen})
	return err
}

// approvedCase is a case for a new employee, approved by both steps.
func (f *moneyFixture) approvedCase(t *testing.T) uuid.UUID {
	t.Helper()
	id := f.caseAwaitingFinalApproval(t)
	if err := f.approve(t, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// instructed instructs the whole amount of approved case id and returns
// the payment.
func (f *moneyFixture) instructed(t *testing.T, id uuid.UUID) uuid.UUID {
	t.Helper()
	pid, _, err := f.env.App.InstructPayment(t.Context(), f.admin, commands.InstructPayment{CaseID: id, AmountFen: grantFen})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// Invariant 2: 20 final approvals at once against a budget that covers 5:
// exactly 5 succeed, the rest are refused as budget_exceeded, and the
// budget never holds more than its allocation.
func TestConcurrentApprovalsNeverOverspend(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		f := newMoney(t, kind, 5*grantFen)
		cases := make([]uuid.UUID, 20)
		for i := range cases {
			cases[i] = f.caseAwaitingFinalApproval(t)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(cases))
		for i, id := range cases {
			wg.Go(func() { errs[i] = f.approve(t, id) })
		}
		wg.Wait()
		approved := 0
		for i, err := range errs {
			switch {
			case err == nil:
				approved++
			case errors.Is(err, budget.ErrExceeded):
			default:
				t.Fatalf("approval %d: %v, want success or budget exceeded", i, err)
			}
		}
		b, err := f.env.Query.GetBudget(t.Context(), f.admin, f.budgetID)
		if err != nil {
			t.Fatal(err)
		}
		if approved != 5 || b.Reserved+b.Spent > b.Allocated || b.Reserved != 5*grantFen {
			t.Fatalf("%d approvals succeeded, budget %+v; want exactly 5 and reserved + spent ≤ allocated", approved, b)
		}
	})
}

// Invariant 1: 50 payment attempts at once on one approved case, each for
// the whole amount: exactly one payment is instructed.
func TestConcurrentPaymentsPayOnce(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		f := newMoney(t, kind, 10*grantFen)
		id := f.approvedCase(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var paid []uuid.UUID
		for i := range 50 {
			wg.Go(func() {
				actor := f.admin
				if i%2 == 0 { // half retry with one key, half without
					actor.IdempotencyKey, actor.CommandID = "pay-case", "pay-case"
				}
				pid, _, err := f.env.App.InstructPayment(t.Context(), actor, commands.InstructPayment{CaseID: id, AmountFen: grantFen})
				switch {
				case err == nil:
					mu.Lock()
					paid = append(paid, pid)
					mu.Unlock()
				case errors.Is(err, casework.ErrAlreadyPaid), errors.Is(err, casework.ErrOverpay),
					errors.Is(err, fault.ErrInvalidState), isConflict(err):
				default:
					t.Errorf("attempt %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		// Every keyed attempt answers as the first keyed run that
		// committed did (invariant 4): several answers may name the
		// one payment.
		if distinct := slices.Compact(slices.SortedFunc(slices.Values(paid), uuidCompare)); len(distinct) != 1 {
			t.Fatalf("%d payments instructed (%v), want exactly 1", len(distinct), distinct)
		}
		if _, err := f.env.App.ConfirmPayment(t.Context(), f.admin, commands.ConfirmPayment{PaymentID: paid[0], BankRef: "BOC20261128001", On: time.Now()}); err != nil {
			t.Fatal(err)
		}
		c, err := f.env.Query.GetCase(t.Context(), f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.PaidFen != grantFen || c.Status != casework.StatusPaid {
			t.Fatalf("case after confirmation: %+v", c)
		}
		if _, _, err := f.env.App.InstructPayment(t.Context(), f.admin, commands.InstructPayment{CaseID: id, AmountFen: 1}); !errors.Is(err, casework.ErrAlreadyPaid) {
			t.Fatalf("paying a paid case: %v, want already paid", err)
		}
		pv, err := f.env.Query.GetPayment(t.Context(), f.admin, paid[0])
		if err != nil || pv.Status != payment.StatusConfirmed {
			t.Fatalf("payment: %+v %v", pv, err)
		}
	})
}

func isConflict(err error) bool {
	return errors.Is(err, event.ErrConcurrency) || errors.Is(err, event.ErrDuplicateEvent)
}

func uuidCompare(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
