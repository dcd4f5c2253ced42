package casework

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

var propertySeed = flag.Uint64("casework.seed", 0, "seed of TestCaseProperties; 0 picks one from the clock")

// TestCaseProperties drives cases through random sequences of commands by
// random actors (openers and applicants included) and checks after every
// command, accepted or refused, what must hold whatever happens:
//
//   - paid + outstanding ≤ approved, and approved ≤ the payable maximum;
//   - no approval by the case's opener or the employee's own account;
//   - no account decides two different steps of one case;
//   - the standard version and flow never change after the first submission;
//   - replaying the stream rebuilds exactly the state the commands left;
//   - a refused command records nothing.
func TestCaseProperties(t *testing.T) {
	t.Parallel()
	seed := *propertySeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -casework.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const steps = 6000
	pool := make([]uuid.UUID, 7)
	for i := range pool {
		pool[i] = uuid.New()
	}
	pick := func() uuid.UUID { return pool[rng.IntN(len(pool))] }
	var (
		c        *Case
		history  []event.Recorded
		first    *CaseSubmitted
		cases    int
		payments []uuid.UUID
		seen     = map[string]int{}
	)
	open := func() {
		opener, employee := pick(), pick()
		if rng.IntN(3) == 0 {
			opener = employee // the employee files their own application
		}
		p := OpenParams{CaseID: uuid.New(), EmployeeID: uuid.New(), EmployeeAccountID: &employee, UnitID: uuid.New(),
			Beneficiary: Beneficiary{Relation: RelationSelf}, StandardCode: "HARD-1", Category: "hardship",
			RequestedFen: 1 + rng.Int64N(200_000), Description: "sealed", OpenedBy: opener}
		var err error
		if c, err = Open(p); err != nil {
			t.Fatal(err)
		}
		if history, c, err = roundTrip(nil, c); err != nil {
			t.Fatal(err)
		}
		first, payments = nil, nil
		cases++
		seen[TypeCaseOpened]++
	}
	open()
	for i := range steps {
		if !c.in(StatusDraft, StatusInReview, StatusReturned, StatusApproved) && rng.IntN(4) == 0 || rng.IntN(200) == 0 {
			open()
		}
		actor := pick()
		if open := c.OpenSteps(); len(open) > 0 && rng.IntN(4) > 0 {
			actor = open[0].Assignee
		}
		var err error
		op := rng.IntN(12)
		switch op {
		case 0:
			err = c.AddDocument(Document{Kind: []string{"invoice", "diagnosis"}[rng.IntN(2)], SHA256: sha, Size: 1, ContentType: "image/png"})
		case 1:
			flow := make([]FlowStep, 1+rng.IntN(4))
			perm := rng.Perm(len(pool))
			for j := range flow {
				flow[j] = FlowStep{Name: "step " + string(rune('A'+j)), AssigneeAccountID: pool[perm[j]], MinAmountFen: rng.Int64N(3) * 50_000}
			}
			err = c.Submit(SubmitParams{StandardVersion: 1 + rng.IntN(5), MaxPayableFen: 1 + rng.Int64N(200_000),
				FlowUnitID: uuid.New(), FlowVersion: 1 + rng.IntN(3), Steps: flow, RequiredDocuments: []string{"invoice"}})
		case 2, 3, 4:
			step := "step " + string(rune('A'+rng.IntN(4)))
			if open := c.OpenSteps(); len(open) > 0 && rng.IntN(4) > 0 {
				step = open[0].Name
			}
			kind := []DecisionKind{Approve, Approve, Approve, Approve, Approve, Reject, Return, Return}[rng.IntN(8)]
			amount := c.CurrentAmountFen() - rng.Int64N(1+c.CurrentAmountFen()/2) + rng.Int64N(2)
			err = c.Decide(Decision{Step: step, Kind: kind, AmountFen: amount, Reason: "because", By: actor}, now.Add(time.Duration(i)*time.Minute))
		case 5:
			err = c.Resubmit()
		case 6:
			if rng.IntN(15) == 0 {
				err = c.Withdraw(actor, "")
			}
		case 7:
			if held := c.Steps(); len(held) > 0 {
				s := held[rng.IntN(len(held))]
				err = c.ReassignStep(s.Name, s.Assignee, actor, "hand-over")
			}
		case 8:
			id := uuid.New()
			payments = append(payments, id)
			remaining := c.ApprovedFen() - c.PaidFen() - c.OutstandingFen()
			amount := remaining
			if rng.IntN(2) == 0 {
				amount = 1 + rng.Int64N(1+remaining+remaining/4)
			}
			err = c.InstructPayment(id, amount)
		case 9, 10:
			if len(payments) > 0 {
				id := payments[rng.IntN(len(payments))]
				for _, p := range payments { // mostly one that is outstanding
					if _, ok := c.s.pending[p]; ok && rng.IntN(4) > 0 {
						id = p
					}
				}
				if op == 9 || rng.IntN(3) > 0 {
					err = c.ConfirmPayment(id)
				} else {
					err = c.FailPayment(id, "bank refused")
				}
			}
		case 11:
			if rng.IntN(5) == 0 {
				err = c.Close("done")
			}
		}
		if err != nil && len(c.Changes()) != 0 {
			t.Fatalf("step %d (op %d): refused with %v but recorded %d events", i, op, err, len(c.Changes()))
		}
		for _, e := range c.Changes() {
			seen[e.Type]++
		}
		var rerr error
		if history, c, rerr = roundTrip(history, c); rerr != nil {
			t.Fatalf("step %d (op %d): %v", i, op, rerr)
		}
		first = checkCaseProperties(t, i, c, history, first)
	}
	t.Logf("%d commands over %d cases; events: %v", steps, cases, seen)
	for _, typ := range CaseEventTypes() {
		if seen[typ] == 0 {
			t.Errorf("no %s in the whole run: the sequence misses part of the machine", typ)
		}
	}
}

func checkCaseProperties(t *testing.T, i int, c *Case, history []event.Recorded, first *CaseSubmitted) *CaseSubmitted {
	t.Helper()
	if c.PaidFen()+c.OutstandingFen() > c.ApprovedFen() || c.PaidFen() < 0 {
		t.Fatalf("step %d: paid %d + outstanding %d > approved %d", i, c.PaidFen(), c.OutstandingFen(), c.ApprovedFen())
	}
	if c.ApprovedFen() > c.MaxPayableFen() {
		t.Fatalf("step %d: approved %d above the maximum %d", i, c.ApprovedFen(), c.MaxPayableFen())
	}
	emp := *c.s.o.EmployeeAccountID
	decided := map[uuid.UUID]string{}
	for _, rec := range history {
		switch rec.Type {
		case TypeCaseSubmitted:
			var p CaseSubmitted
			_ = json.Unmarshal(rec.Data, &p)
			if first == nil {
				first = &p
			}
			if p.StandardVersion != first.StandardVersion || p.FlowUnitID != first.FlowUnitID || p.FlowVersion != first.FlowVersion {
				t.Fatalf("step %d: the terms changed after the first submission", i)
			}
		case TypeCaseStepDecided:
			var p CaseStepDecided
			_ = json.Unmarshal(rec.Data, &p)
			by := p.DecidedByAccountID
			if p.Decision == Approve && (by == c.OpenedBy() || by == emp) {
				t.Fatalf("step %d: %s approved a case they filed or applied for", i, by)
			}
			if prev, ok := decided[by]; ok && prev != p.Step {
				t.Fatalf("step %d: %s decided %q and %q", i, by, prev, p.Step)
			}
			decided[by] = p.Step
		}
	}
	if first != nil && c.StandardVersion() != first.StandardVersion {
		t.Fatalf("step %d: standard version %d, first submitted under %d", i, c.StandardVersion(), first.StandardVersion)
	}
	return first
}
