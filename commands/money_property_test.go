package commands_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/internal/testkit/apptest"
)

// Random sequences of commands by random actors — open, submit, decide,
// return and resubmit, withdraw, pay, confirm, fail, revise the standard —
// keep invariants 1 (never paid beyond approval), 2 (reserved + spent ≤
// allocated), 6 (no one approves what they filed, nor two steps of one
// case) and 8 (a case keeps the standard version it was submitted under).
// Refusals are expected; what matters is what the history holds.
func TestMoneyInvariantsUnderRandomCommands(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 8))
		ctx := t.Context()
		f := newMoney(t, kind, 7*grantFen)
		actors := []commands.Actor{f.admin, f.caseworker, f.approver1, f.approver2}
		steps := []string{"站段审核", "路局审批"}
		decisions := []casework.DecisionKind{casework.Approve, casework.Approve, casework.Approve, casework.Approve, casework.Approve, casework.Approve, casework.Reject, casework.Return}
		var cases, payments []uuid.UUID
		var approvals, confirmations int
		submittedVersion := map[uuid.UUID]int{}
		ops := 200
		if testing.Short() {
			ops = 60
		}
		for range ops {
			switch op := rng.IntN(10); {
			case op < 1 || len(cases) == 0:
				emp, _, err := register(ctx, f.env, f.caseworker, f.station)
				if err != nil {
					t.Fatal(err)
				}
				id, _, err := f.env.App.OpenCase(ctx, f.caseworker, commands.OpenCase{EmployeeID: emp, Beneficiary: casework.RelationSelf,
					StandardCode: "HARD-LIVING", Causes: []string{"illness"}, RequestedFen: grantFen, Description: "生活困难"})
				if err != nil {
					t.Fatal(err)
				}
				cases = append(cases, id)
				_, _ = f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: id})
			case op < 5:
				id := cases[rng.IntN(len(cases))]
				actor, step := actors[rng.IntN(len(actors))], steps[rng.IntN(2)]
				if rng.IntN(5) > 0 { // mostly the step that waits, by its assignee
					actor, step = f.waiting(t, id, actor, step)
				}
				if _, err := f.env.App.DecideCase(ctx, actor, commands.DecideCase{CaseID: id,
					Step: step, Decision: decisions[rng.IntN(len(decisions))],
					AmountFen: grantFen - int64(rng.IntN(3))*10_000, Reason: "审核意见"}); err == nil {
					approvals++
				}
			case op < 6:
				_, _ = f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: cases[rng.IntN(len(cases))]}) // resubmits a returned case
			case op < 7:
				if rng.IntN(3) == 0 {
					_, _ = f.env.App.WithdrawCase(ctx, f.caseworker, commands.WithdrawCase{CaseID: cases[rng.IntN(len(cases))], Reason: "申请人撤回"})
				} else {
					def := hardshipStandard(f.root, int64(grantFen+rng.IntN(5)*10_000))
					_, _ = f.env.App.ReviseStandard(ctx, f.admin, commands.ReviseStandard{Code: def.Code, Definition: def})
				}
			case op < 9:
				actor := f.admin
				if rng.IntN(5) == 0 {
					actor = actors[rng.IntN(len(actors))]
				}
				if id, _, err := f.env.App.InstructPayment(ctx, actor, commands.InstructPayment{CaseID: f.someApproved(t, rng, cases), AmountFen: int64(1 + rng.IntN(grantFen))}); err == nil {
					payments = append(payments, id)
				}
			default:
				if len(payments) == 0 {
					continue
				}
				p := payments[rng.IntN(len(payments))]
				if rng.IntN(3) == 0 {
					_, _ = f.env.App.FailPayment(ctx, f.admin, commands.FailPayment{PaymentID: p, Reason: "账户已注销"})
				} else {
					if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: p, BankRef: "REF" + p.String()[:8], On: time.Now()}); err == nil {
						confirmations++
					}
				}
			}
			checkMoneyInvariants(t, f, cases, submittedVersion)
		}
		// Finally the bank answers every payment still outstanding, so
		// every run ends having confirmed payments, whatever its seed.
		for _, p := range payments {
			if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: p, BankRef: "REF" + p.String()[:8], On: time.Now()}); err == nil {
				confirmations++
			}
			checkMoneyInvariants(t, f, cases, submittedVersion)
		}
		t.Logf("%d cases, %d decisions, %d payments instructed, %d confirmations", len(cases), approvals, len(payments), confirmations)
		if approvals == 0 || len(payments) == 0 || confirmations == 0 {
			t.Fatal("the random run exercised too little of the money path to say anything")
		}
	})
}

// waiting returns the assignee and name of the case's step waiting for a
// decision, or the given fallbacks when none waits.
func (f *moneyFixture) waiting(t *testing.T, id uuid.UUID, actor commands.Actor, step string) (commands.Actor, string) {
	c, err := f.env.Query.GetCase(t.Context(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Steps {
		if s.DecidedBy != uuid.Nil {
			continue
		}
		for _, a := range []commands.Actor{f.approver1, f.approver2, f.caseworker, f.admin} {
			if a.AccountID == s.Assignee {
				return a, s.Name
			}
		}
		return actor, s.Name
	}
	return actor, step
}

// someApproved returns an approved case most of the time, any case else.
func (f *moneyFixture) someApproved(t *testing.T, rng *rand.Rand, cases []uuid.UUID) uuid.UUID {
	if rng.IntN(5) > 0 {
		for _, i := range rng.Perm(len(cases)) {
			c, err := f.env.Query.GetCase(t.Context(), f.admin, cases[i])
			if err != nil {
				t.Fatal(err)
			}
			if c.Status == casework.StatusApproved {
				return cases[i]
			}
		}
	}
	return cases[rng.IntN(len(cases))]
}

func hardshipStandard(owner uuid.UUID, amountFen int64) catalogue.Definition {
	return catalogue.Definition{
		Code: "HARD-LIVING", Name: "困难职工生活补助", Category: catalogue.CategoryHardship, OwnerUnitID: owner,
		AmountRule: catalogue.FixedRule(amountFen), AnnualCapFen: 1_000 * grantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.hardship", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	}
}

func checkMoneyInvariants(t *testing.T, f *moneyFixture, cases []uuid.UUID, submittedVersion map[uuid.UUID]int) {
	t.Helper()
	ctx := t.Context()
	b, err := f.env.Query.GetBudget(ctx, f.admin, f.budgetID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Reserved+b.Spent > b.Allocated || b.Reserved < 0 || b.Spent < 0 {
		t.Fatalf("invariant 2: budget %+v", b)
	}
	for _, id := range cases {
		c, err := f.env.Query.GetCase(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.PaidFen > c.ApprovedFen {
			t.Fatalf("invariant 1: case %s paid %d of %d approved", id, c.PaidFen, c.ApprovedFen)
		}
		if v, ok := submittedVersion[id]; ok && c.StandardVersion != v {
			t.Fatalf("invariant 8: case %s moved from standard version %d to %d", id, v, c.StandardVersion)
		} else if c.StandardVersion > 0 {
			submittedVersion[id] = c.StandardVersion
		}
		deciders := map[uuid.UUID]string{}
		for _, s := range c.Steps {
			if s.DecidedBy == uuid.Nil {
				continue
			}
			if s.DecidedBy == f.workerID {
				t.Fatalf("invariant 6: case %s step %s decided by the caseworker who filed it", id, s.Name)
			}
			if other, dup := deciders[s.DecidedBy]; dup && other != s.Name {
				t.Fatalf("invariant 6: case %s: %s decided both %s and %s", id, s.DecidedBy, other, s.Name)
			}
			deciders[s.DecidedBy] = s.Name
		}
	}
}
