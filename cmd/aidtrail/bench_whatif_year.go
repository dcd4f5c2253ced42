package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/domain/reservation"
	"aidtrail/projections/casegen"
)

// whatIfStandard is the standard a bench year's cases are decided under.
const whatIfStandard = "MED-SERIOUS"

// whatIfWriters write a bench year, each the stations of its own, so that
// every employee's cases reach the log in the order they were decided.
const whatIfWriters = 8

const yuanFen = 100

// The steps of the stations' flow for medical aid.
const (
	stationStep = "站段工会审核"
	bureauStep  = "路局工会审批"
)

// whatIfYear is a year of cases decided under whatIfStandard, planned in
// the order they were opened, with the standard's annual cap and times
// per year counted as the live system counts them.
type whatIfYear struct {
	world                       *casegen.World
	year                        int
	def                         catalogue.Definition
	plans                       [whatIfWriters][]yearCase
	stations                    []yearStation
	approved, rejected, refused int
}

// yearStation is what a station's cases share: their approvers and the
// station's budget for the year.
type yearStation struct {
	unit, approver, bureauApprover, budget uuid.UUID
}

// yearCase is one case of the year.
type yearCase struct {
	id, employee       uuid.UUID
	station            int
	opened             time.Time
	expense, requested int64
	maxFen             int64 // the most payable at submission; 0: refused, never submitted
	grantedFen         int64 // 0 unless approved
}

// newWhatIfYear plans n cases opened through year, evenly, by employees
// of world drawn at random: the expense drawn across the standard's tiers
// (a few below the lowest), the request what the standard allows, and the
// live check at submission against the employee's grants so far; of the
// cases it allows, some are rejected by an approver and some approved for
// less than was asked.
func newWhatIfYear(world *casegen.World, year, n int) *whatIfYear {
	y := &whatIfYear{world: world, year: year}
	for _, def := range catalogue.SampleCatalogue(world.Root) {
		if def.Code == whatIfStandard {
			y.def = def
		}
	}
	for _, u := range world.Units {
		y.stations = append(y.stations, yearStation{unit: u, approver: uuid.New(), bureauApprover: uuid.New(), budget: uuid.New()})
	}
	rng := rand.New(rand.NewPCG(uint64(year), uint64(n)))
	type tally struct {
		fen   int64
		times int
	}
	ledgers := map[uuid.UUID]tally{}
	start := time.Date(year, 1, 1, 9, 0, 0, 0, calendar.Zone)
	span := time.Date(year, 12, 20, 9, 0, 0, 0, calendar.Zone).Sub(start)
	for i := range n {
		e := rng.IntN(len(world.Employees))
		c := yearCase{id: uuid.New(), employee: world.Employees[e], station: e % len(world.Units),
			opened: start.Add(span / time.Duration(n) * time.Duration(i))}
		if rng.IntN(20) == 0 {
			c.expense = int64(1_000+rng.IntN(9_000)) * yuanFen
		} else {
			c.expense = int64(10_000+rng.IntN(290_000)) * yuanFen
		}
		c.requested, _ = y.def.AmountRule.MaxPayable(c.expense)
		if c.requested == 0 {
			c.requested = 5_000 * yuanFen // what the lowest tier pays
		}
		t := ledgers[c.employee]
		claim := catalogue.Claim{Beneficiary: catalogue.BeneficiarySelf, ExpenseFen: c.expense, RequestedFen: c.requested,
			DocumentKinds: y.def.RequiredDocuments, PaidThisYearFen: t.fen, TimesThisYear: t.times}
		limit, err := y.def.Check(claim)
		var capErr *catalogue.CapError
		if errors.As(err, &capErr) && capErr.Limit > 0 {
			// Told what is left of the cap, the applicant asks for that.
			c.requested, limit, err = capErr.Limit, capErr.Limit, nil
		}
		switch {
		case err != nil:
			y.refused++
		case rng.IntN(10) == 0:
			c.maxFen = limit
			y.rejected++
		default:
			c.maxFen, c.grantedFen = limit, limit
			if rng.IntN(10) == 0 {
				c.grantedFen = max(limit*4/5/yuanFen*yuanFen, yuanFen)
			}
			ledgers[c.employee] = tally{t.fen + c.grantedFen, t.times + 1}
			y.approved++
		}
		w := c.station % whatIfWriters
		y.plans[w] = append(y.plans[w], c)
	}
	return y
}

// cases is how many cases the year decides.
func (y *whatIfYear) cases() int { return y.approved + y.rejected + y.refused }

// committer is the part of the event store a year is written with.
type committer interface {
	casegen.Appender
	Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error)
}

// write appends the organisation, the standard, the stations' budgets and
// then every case's history, and returns how many events it wrote.
func (y *whatIfYear) write(ctx context.Context, store committer) (int, error) {
	if err := y.world.WriteOrganisation(ctx, store); err != nil {
		return 0, err
	}
	before := time.Date(y.year-1, 12, 1, 9, 0, 0, 0, calendar.Zone)
	st, err := catalogue.Publish(y.def)
	if err != nil {
		return 0, err
	}
	published := st.Changes()
	for i := range published {
		published[i].Metadata = event.Metadata{ActorName: "路局工会", OccurredAt: before, SchemaVersion: 1}
	}
	if _, err := store.Append(ctx, catalogue.StandardStream(y.def.Code), event.NoStream, published...); err != nil {
		return 0, err
	}
	events := 1 + len(y.world.Units) + 1 // the bureau, its stations, the standard
	for _, s := range y.stations {
		var tx txBuilder
		tx.add(budget.Stream(s.budget), before, "路局工会", budget.TypeAllocated, budget.Allocated{BudgetID: s.budget, UnitID: s.unit,
			Year: y.year, Line: y.def.BudgetLine, AmountFen: 1_000_000_000 * yuanFen})
		tx.add(reservation.AllocationStream(s.unit, y.year, y.def.BudgetLine), before, "路局工会", reservation.TypeReserved,
			reservation.Reserved{Owner: s.budget})
		n, err := tx.commit(ctx, store)
		if err != nil {
			return 0, err
		}
		events += n
	}
	var wg sync.WaitGroup
	written := make([]int, whatIfWriters)
	errs := make([]error, whatIfWriters)
	for w := range whatIfWriters {
		wg.Go(func() {
			for _, c := range y.plans[w] {
				n, err := y.writeCase(ctx, store, c)
				if err != nil {
					errs[w] = fmt.Errorf("case %s: %w", c.id, err)
					return
				}
				written[w] += n
			}
		})
	}
	wg.Wait()
	for _, n := range written {
		events += n
	}
	return events, errors.Join(errs...)
}

// writeCase commits a case's history as the live system's commands do,
// each of its steps one transaction: filed with its documents and
// submitted (or withdrawn, refused); decided at both steps, the grant
// recorded in the employee's aid ledger and reserved in the station's
// budget; paid and confirmed.
func (y *whatIfYear) writeCase(ctx context.Context, store committer, c yearCase) (int, error) {
	s := y.stations[c.station]
	stream := casework.CaseStream(c.id)
	at := func(d time.Duration) time.Time { return c.opened.Add(d) }
	var filed txBuilder
	filed.add(stream, at(0), "站段经办人", casework.TypeCaseOpened, casework.CaseOpened{CaseID: c.id, EmployeeID: c.employee,
		UnitID: s.unit, Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf, Name: "sealed:v1:x"},
		StandardCode: y.def.Code, Category: string(y.def.Category), Causes: []string{"serious_illness"}, ExpenseFen: c.expense,
		RequestedFen: c.requested, Description: "sealed:v1:y", OpenedByAccountID: s.approver, OnBehalf: true})
	for i, kind := range y.def.RequiredDocuments {
		filed.add(stream, at(time.Duration(i+1)*time.Minute), "站段经办人", casework.TypeCaseDocumentAdded, casework.Document{Kind: kind,
			SHA256: fmt.Sprintf("%x", sha256.Sum256(append(c.id[:], kind...))), Size: 200_000, ContentType: "application/pdf"})
	}
	if c.maxFen == 0 {
		filed.add(stream, at(time.Hour), "站段经办人", casework.TypeCaseWithdrawn, casework.CaseWithdrawn{Reason: "超出救助标准", ByAccountID: s.approver})
		return filed.commit(ctx, store)
	}
	filed.add(stream, at(time.Hour), "站段经办人", casework.TypeCaseSubmitted, casework.CaseSubmitted{StandardVersion: 1,
		MaxPayableFen: c.maxFen, AmountFen: c.requested, FlowUnitID: s.unit, FlowVersion: 1,
		Steps: []casework.CaseStep{{Name: stationStep, AssigneeAccountID: s.approver}, {Name: bureauStep, AssigneeAccountID: s.bureauApprover}}})
	filed.add(casework.AssignmentStream(s.approver), at(time.Hour), "站段经办人", casework.TypeAssignmentOpened,
		casework.Assignment{CaseID: c.id, Step: stationStep, UnitID: s.unit})
	written, err := filed.commit(ctx, store)
	if err != nil {
		return written, err
	}

	var decided txBuilder
	day := 24 * time.Hour
	if c.grantedFen == 0 {
		decided.add(stream, at(day), "站段审批人", casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: stationStep,
			Decision: casework.Reject, Reason: "不符合条件", DecidedByAccountID: s.approver, DecidedAt: at(day)})
		decided.add(stream, at(day), "站段审批人", casework.TypeCaseRejected, casework.CaseRejected{Step: stationStep, Reason: "不符合条件"})
		decided.add(casework.AssignmentStream(s.approver), at(day), "站段审批人", casework.TypeAssignmentClosed,
			casework.Assignment{CaseID: c.id, Step: stationStep, UnitID: s.unit})
		n, err := decided.commit(ctx, store)
		return written + n, err
	}
	decided.add(stream, at(day), "站段审批人", casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: stationStep,
		Decision: casework.Approve, AmountFen: c.grantedFen, Reason: "符合标准", DecidedByAccountID: s.approver, DecidedAt: at(day)})
	decided.add(casework.AssignmentStream(s.approver), at(day), "站段审批人", casework.TypeAssignmentClosed,
		casework.Assignment{CaseID: c.id, Step: stationStep, UnitID: s.unit})
	decided.add(casework.AssignmentStream(s.bureauApprover), at(day), "站段审批人", casework.TypeAssignmentOpened,
		casework.Assignment{CaseID: c.id, Step: bureauStep, UnitID: s.unit})
	n, err := decided.commit(ctx, store)
	if err != nil {
		return written, err
	}
	written += n

	var approved txBuilder
	approved.add(stream, at(2*day), "路局审批人", casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: bureauStep,
		Decision: casework.Approve, AmountFen: c.grantedFen, Reason: "符合标准", DecidedByAccountID: s.bureauApprover, DecidedAt: at(2 * day)})
	approved.add(stream, at(2*day), "路局审批人", casework.TypeCaseApproved, casework.CaseApproved{AmountFen: c.grantedFen})
	approved.add(casework.AssignmentStream(s.bureauApprover), at(2*day), "路局审批人", casework.TypeAssignmentClosed,
		casework.Assignment{CaseID: c.id, Step: bureauStep, UnitID: s.unit})
	approved.add(casework.AidLedgerStream(c.employee, calendar.Year(at(2*day))), at(2*day), "路局审批人", casework.TypeAidApproved,
		casework.AidApproved{CaseID: c.id, StandardCode: y.def.Code, AmountFen: c.grantedFen})
	approved.add(reservation.CaseBudgetStream(c.id), at(2*day), "路局审批人", reservation.TypeReserved, reservation.Reserved{Owner: s.budget})
	approved.add(budget.Stream(s.budget), at(2*day), "路局审批人", budget.TypeReserved, budget.Reserved{CaseID: c.id, AmountFen: c.grantedFen})
	if n, err = approved.commit(ctx, store); err != nil {
		return written, err
	}
	written += n

	var paid txBuilder
	pid := uuid.New()
	paid.add(stream, at(5*day), "站段财务", casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: pid, AmountFen: c.grantedFen})
	paid.add(payment.Stream(pid), at(5*day), "站段财务", payment.TypeInstructed, payment.Instructed{PaymentID: pid, CaseID: c.id,
		EmployeeID: c.employee, BudgetID: s.budget, AmountFen: c.grantedFen, BankAccount: "sealed:v1:z"})
	paid.add(stream, at(6*day), "站段财务", casework.TypeCasePaymentConfirmed, casework.CasePaymentConfirmed{PaymentID: pid, AmountFen: c.grantedFen})
	paid.add(stream, at(6*day), "站段财务", casework.TypeCasePaid, casework.CasePaid{TotalFen: c.grantedFen})
	paid.add(payment.Stream(pid), at(6*day), "站段财务", payment.TypeConfirmed, payment.Confirmed{BankRef: "B" + pid.String()[:8],
		ConfirmedAt: at(6 * day).In(calendar.Zone).Format(time.DateOnly)})
	paid.add(budget.SpendingStream(s.budget), at(6*day), "站段财务", budget.TypeSpent, budget.Spent{CaseID: c.id, PaymentID: pid, AmountFen: c.grantedFen})
	n, err = paid.commit(ctx, store)
	return written + n, err
}

// txBuilder gathers one transaction's events, stream by stream, each
// appended at whatever version its stream is at.
type txBuilder struct {
	tx  event.Transaction
	n   int
	err error
}

func (b *txBuilder) add(stream string, at time.Time, actor, typ string, payload any) {
	if b.err != nil {
		return
	}
	e, err := event.New(typ, payload)
	if err != nil {
		b.err = fmt.Errorf("%s: %w", typ, err)
		return
	}
	e.Metadata = event.Metadata{ActorName: actor, OccurredAt: at.UTC(), SchemaVersion: 1}
	b.n++
	for i := range b.tx.Appends {
		if b.tx.Appends[i].Stream == stream {
			b.tx.Appends[i].Events = append(b.tx.Appends[i].Events, e)
			return
		}
	}
	b.tx.Appends = append(b.tx.Appends, event.StreamAppend{Stream: stream, Expected: event.Any, Events: []event.Event{e}})
}

// commit commits the transaction and returns how many events it wrote.
func (b *txBuilder) commit(ctx context.Context, store committer) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if _, err := store.Commit(ctx, b.tx); err != nil {
		return 0, err
	}
	return b.n, nil
}
