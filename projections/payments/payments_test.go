package payments_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
	"aidtrail/projections/payments"
	"aidtrail/projections/units"
)

const grantFen = orgkit.GrantFen

// fixture is a bureau with a station and a workshop under it and a second
// station, an administrator, a caseworker and an approver at the bureau,
// a hardship standard with a one-step flow and the bureau's budget.
type fixture struct {
	*orgkit.Org
	env                          *apptest.Env
	root, station, workshop, st2 uuid.UUID
	admin, caseworker, approver  commands.Actor
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	o := orgkit.New(t, kind)
	f := &fixture{Org: o, env: o.Env, root: o.Root, admin: o.Admin}
	f.station = o.Unit(t, f.admin, "太原站", "TYZ", org.LevelStation, f.root)
	f.workshop = o.Unit(t, f.admin, "客运车间", "TYZ-KY", org.LevelWorkshop, f.station)
	f.st2 = o.Unit(t, f.admin, "太原南站", "TYN", org.LevelStation, f.root)
	_, f.caseworker = o.SignUp(t, f.admin, f.root, access.RoleCaseworker)
	approver, actor := o.SignUp(t, f.admin, f.root, access.RoleApprover)
	f.approver = actor
	o.PublishHardship(t)
	o.HardshipFlow(t, f.root, casework.FlowStep{Name: "路局审批", AssigneeAccountID: approver})
	o.Budget(t, f.root, calendar.Year(time.Now()), "aid.hardship", 100*grantFen)
	return f
}

// approved opens, submits and approves a case of a new employee of unit.
func (f *fixture) approved(t *testing.T, unit uuid.UUID) uuid.UUID {
	t.Helper()
	id := f.SubmittedCase(t, f.caseworker, unit, grantFen)
	if _, err := f.env.App.DecideCase(t.Context(), f.approver, commands.DecideCase{CaseID: id, Step: "路局审批",
		Decision: casework.Approve, AmountFen: grantFen}); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) instruct(t *testing.T, caseID uuid.UUID, fen int64) uuid.UUID {
	t.Helper()
	id, _, err := f.env.App.InstructPayment(t.Context(), f.admin, commands.InstructPayment{CaseID: caseID, AmountFen: fen})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Payments instructed at every level of the tree, confirmed one by one
// and through a results file, failed and instructed again: rm_payments
// says what query.Service.GetPayment says of each, with its case's unit, and lists
// filter by subtree, status, case and employee and page without loss.
func TestPaymentsFollowTheStore(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newFixture(t, kind)
		unitOf := map[uuid.UUID]uuid.UUID{}
		var ids []uuid.UUID
		for i, unit := range []uuid.UUID{f.station, f.workshop, f.st2, f.root, f.workshop, f.st2, f.station} {
			c := f.approved(t, unit)
			parts := []int64{grantFen}
			if i%3 == 0 {
				parts = []int64{grantFen / 2, grantFen - grantFen/2}
			}
			for _, fen := range parts {
				id := f.instruct(t, c, fen)
				ids = append(ids, id)
				unitOf[id] = unit
			}
		}
		if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: ids[0], BankRef: "BOC0001", On: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.App.FailPayment(ctx, f.admin, commands.FailPayment{PaymentID: ids[2], Reason: "账户冻结"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.App.ReconcilePayments(ctx, f.admin, commands.ReconcilePayments{Rows: []payment.ResultRow{
			{Row: 1, PaymentID: ids[3], Status: payment.StatusConfirmed, BankRef: "BOC0003", ConfirmedOn: "2026-11-27"},
			{Row: 2, PaymentID: ids[4], Status: payment.StatusFailed, Reason: "户名不符"},
		}}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []projections.Projection{units.New(), payments.New()} {
			readmodeltest.CatchUp(t, f.env, p)
		}
		for _, id := range ids {
			want, err := f.env.Query.GetPayment(ctx, f.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := payments.Get(ctx, f.env.DB, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.PaymentID != want.ID || got.CaseID != want.CaseID || got.EmployeeID != want.EmployeeID ||
				got.BudgetID != want.BudgetID || got.AmountFen != want.AmountFen || got.Status != want.Status ||
				got.BankRef != want.BankRef || got.ConfirmedOn != want.ConfirmedOn || got.FailReason != want.FailReason ||
				got.UnitID != unitOf[id] || got.InstructedAt.IsZero() || got.UpdatedPosition < got.InstructedPosition {
				t.Fatalf("payment %s:\n got %+v\nwant %+v at unit %s", id, got, want, unitOf[id])
			}
		}

		list := func(filter query.PaymentFilter) []uuid.UUID {
			t.Helper()
			var out []uuid.UUID
			for {
				rows, next, err := payments.List(ctx, f.env.DB, filter)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					out = append(out, r.PaymentID)
				}
				if next == 0 {
					return out
				}
				filter.After = next
			}
		}
		expect := func(keep func(id uuid.UUID, v query.PaymentView) bool) []uuid.UUID {
			var out []uuid.UUID
			for _, id := range ids {
				v, err := f.env.Query.GetPayment(ctx, f.admin, id)
				if err != nil {
					t.Fatal(err)
				}
				if keep(id, v) {
					out = append(out, id)
				}
			}
			return out
		}
		first, err := f.env.Query.GetPayment(ctx, f.admin, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			filter query.PaymentFilter
			keep   func(uuid.UUID, query.PaymentView) bool
		}{
			{"all", query.PaymentFilter{}, func(uuid.UUID, query.PaymentView) bool { return true }},
			{"pages of 2", query.PaymentFilter{Page: query.Page{Limit: 2}}, func(uuid.UUID, query.PaymentView) bool { return true }},
			{"instructed under the station", query.PaymentFilter{Within: []uuid.UUID{f.station}, Status: payment.StatusInstructed, Page: query.Page{Limit: 1}},
				func(id uuid.UUID, v query.PaymentView) bool {
					return (unitOf[id] == f.station || unitOf[id] == f.workshop) && v.Status == payment.StatusInstructed
				}},
			{"under the workshop and the second station", query.PaymentFilter{Within: []uuid.UUID{f.workshop, f.st2}},
				func(id uuid.UUID, _ query.PaymentView) bool {
					return unitOf[id] == f.workshop || unitOf[id] == f.st2
				}},
			{"failed", query.PaymentFilter{Status: payment.StatusFailed},
				func(_ uuid.UUID, v query.PaymentView) bool { return v.Status == payment.StatusFailed }},
			{"one case", query.PaymentFilter{CaseID: first.CaseID},
				func(_ uuid.UUID, v query.PaymentView) bool { return v.CaseID == first.CaseID }},
			{"one employee", query.PaymentFilter{EmployeeID: first.EmployeeID},
				func(_ uuid.UUID, v query.PaymentView) bool { return v.EmployeeID == first.EmployeeID }},
			{"nowhere", query.PaymentFilter{Within: []uuid.UUID{}}, func(uuid.UUID, query.PaymentView) bool { return false }},
		} {
			want := expect(c.keep)
			if got := list(c.filter); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s:\n got %v\nwant %v", c.name, got, want)
			}
		}
		if _, err := payments.Get(ctx, f.env.DB, uuid.New()); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("an unknown payment: %v, want not found", err)
		}
	})
}

// An event of a payment's stream the projection cannot apply stops it
// there, every time: it holds money and never skips.
func TestPaymentsStopAtWhatTheyCannotApply(t *testing.T) {
	caseID, id, other := uuid.New(), uuid.New(), uuid.New()
	opened := casework.CaseOpened{CaseID: caseID, EmployeeID: uuid.New(), UnitID: uuid.New(), StandardCode: "HARD-LIVING",
		Category: "hardship", RequestedFen: grantFen}
	instructed := payment.Instructed{PaymentID: id, CaseID: caseID, EmployeeID: opened.EmployeeID, BudgetID: uuid.New(), AmountFen: grantFen}
	for _, c := range []struct {
		name              string
		stream, typ       string
		data              any
		want              string
		withoutInstructed bool
	}{
		{"unknown type", payment.Stream(id), "payment.reversed", map[string]any{"reason": "退汇"}, "unknown payment event type", false},
		{"payment event elsewhere", "ledger-" + id.String(), payment.TypeConfirmed, payment.Confirmed{BankRef: "B1", ConfirmedAt: "2026-11-27"}, "not a payment stream", false},
		{"malformed payload", payment.Stream(id), payment.TypeFailed, map[string]any{"reason": 7}, "payment.failed", false},
		{"answered twice", payment.Stream(id), payment.TypeFailed, payment.Failed{Reason: "又失败"}, "answered already", false},
		{"confirmed before instructed", payment.Stream(id), payment.TypeConfirmed, payment.Confirmed{BankRef: "B1", ConfirmedAt: "2026-11-27"}, "not instructed", true},
		{"instructed for a case never opened", payment.Stream(other), payment.TypeInstructed,
			payment.Instructed{PaymentID: other, CaseID: uuid.New(), EmployeeID: uuid.New(), BudgetID: uuid.New(), AmountFen: 1}, "not opened", true},
		{"amount out of range", payment.Stream(id), payment.TypeInstructed,
			payment.Instructed{PaymentID: id, CaseID: caseID, EmployeeID: uuid.New(), BudgetID: uuid.New(), AmountFen: 0}, "amount_fen", true},
	} {
		for _, kind := range apptest.Kinds {
			t.Run(c.name+"/"+kind, func(t *testing.T) {
				t.Parallel()
				env := apptest.New(t, kind)
				readmodeltest.Append(t, env, casework.CaseStream(caseID), casework.TypeCaseOpened, opened)
				if !c.withoutInstructed {
					readmodeltest.Append(t, env, payment.Stream(id), payment.TypeInstructed, instructed)
					readmodeltest.Append(t, env, payment.Stream(id), payment.TypeFailed, payment.Failed{Reason: "账户冻结"})
				}
				good := readmodeltest.CatchUp(t, env, payments.New())
				readmodeltest.Append(t, env, c.stream, c.typ, c.data)
				if cp := readmodeltest.Refuses(t, env, payments.New(), c.want); cp != good {
					t.Fatalf("refused at %d; want the checkpoint left at %d", cp, good)
				}
			})
		}
	}
}
