package casework

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

// now is the fixed moment of every test decision.
var now = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)

// actors of a fixture case: the caseworker who opens it on the employee's
// behalf, the employee's own account, three approvers and an outsider.
type actors struct {
	opener, employee, a1, a2, a3, other uuid.UUID
	flowUnit                            uuid.UUID
}

func newActors() actors {
	return actors{opener: uuid.New(), employee: uuid.New(), a1: uuid.New(), a2: uuid.New(), a3: uuid.New(), other: uuid.New(), flowUnit: uuid.New()}
}

// flowSteps: s1 and s2 apply to every amount, s3 only from 1,000 yuan.
func (a actors) flowSteps() []FlowStep {
	return []FlowStep{
		{Name: "station review", AssigneeAccountID: a.a1},
		{Name: "union chair", AssigneeAccountID: a.a2},
		{Name: "bureau sign-off", AssigneeAccountID: a.a3, MinAmountFen: 100_000},
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func openParams(a actors) OpenParams {
	emp := a.employee
	return OpenParams{
		CaseID: uuid.New(), EmployeeID: uuid.New(), EmployeeAccountID: &emp, UnitID: uuid.New(),
		Beneficiary:  Beneficiary{Relation: RelationSpouse, Name: "sealed:name"},
		StandardCode: "MED-01", Category: "medical", Causes: []string{"serious illness"},
		ExpenseFen: 8_000_000, RequestedFen: 50_000, Description: "sealed:desc", OpenedBy: a.opener,
	}
}

func (a actors) submitParams() SubmitParams {
	return SubmitParams{StandardVersion: 3, MaxPayableFen: 40_000, FlowUnitID: a.flowUnit, FlowVersion: 2,
		Steps: a.flowSteps(), RequiredDocuments: []string{"invoice"}}
}

// commit turns a case's changes into the stream they would be appended to,
// checks that replaying it rebuilds exactly the state the behaviour methods
// left (the round trip), and returns the case loaded afresh.
func commit(t testing.TB, history []event.Recorded, c *Case) ([]event.Recorded, *Case) {
	t.Helper()
	history, got, err := roundTrip(history, c)
	if err != nil {
		t.Fatal(err)
	}
	return history, got
}

func roundTrip(history []event.Recorded, c *Case) ([]event.Recorded, *Case, error) {
	history, err := aggtest.Append(history, c.Stream(), c.Version(), c.Changes())
	if err != nil {
		return nil, nil, err
	}
	got, err := LoadCase(c.ID(), history)
	if err != nil {
		return nil, nil, err
	}
	if !reflect.DeepEqual(got.s, c.s) {
		return nil, nil, errors.New("round trip: replayed state differs")
	}
	return history, got, nil
}

// fixture is a committed case with its stream.
type fixture struct {
	a       actors
	c       *Case
	history []event.Recorded
}

func (f *fixture) commit(t testing.TB) { f.history, f.c = commit(t, f.history, f.c) }

func (f *fixture) must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	f.commit(t)
}

func draft(t testing.TB) *fixture {
	t.Helper()
	a := newActors()
	c, err := Open(openParams(a))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{a: a, c: c}
	f.commit(t)
	f.must(t, f.c.AddDocument(Document{Kind: "invoice", SHA256: sha, Size: 1000, ContentType: "image/jpeg"}))
	return f
}

func decision(step string, kind DecisionKind, amount int64, by uuid.UUID) Decision {
	reason := ""
	if kind != Approve {
		reason = "needs the hospital invoice"
	}
	return Decision{Step: step, Kind: kind, AmountFen: amount, Reason: reason, By: by}
}

// inStatus returns a committed fixture case in status st. An approved case
// has 40,000 fen approved and no payment instructed.
func inStatus(t testing.TB, st Status) *fixture {
	t.Helper()
	f := draft(t)
	if st == StatusDraft {
		return f
	}
	f.must(t, f.c.Submit(f.a.submitParams()))
	switch st {
	case StatusInReview:
	case StatusReturned:
		f.must(t, f.c.Decide(decision("station review", Return, 0, f.a.a1), now))
	case StatusRejected:
		f.must(t, f.c.Decide(decision("station review", Reject, 0, f.a.a1), now))
	case StatusWithdrawn:
		f.must(t, f.c.Withdraw(f.a.employee, "recovered"))
	case StatusApproved, StatusPaid, StatusClosed:
		f.must(t, f.c.Decide(decision("station review", Approve, 40_000, f.a.a1), now))
		f.must(t, f.c.Decide(decision("union chair", Approve, 40_000, f.a.a2), now))
		if st == StatusApproved {
			break
		}
		id := uuid.New()
		f.must(t, f.c.InstructPayment(id, 40_000))
		f.must(t, f.c.ConfirmPayment(id))
		if st == StatusClosed {
			f.must(t, f.c.Close("paid in full"))
		}
	default:
		t.Fatalf("no fixture for %s", st)
	}
	if f.c.Status() != st {
		t.Fatalf("fixture is %s, want %s", f.c.Status(), st)
	}
	return f
}

func allStatuses() []Status {
	return []Status{StatusDraft, StatusInReview, StatusReturned, StatusApproved, StatusRejected, StatusWithdrawn, StatusPaid, StatusClosed}
}

func wantField(t testing.TB, err error, field string) {
	t.Helper()
	var ve *fault.ValidationError
	if !errors.As(err, &ve) || !strings.HasPrefix(ve.Field, field) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
}

func wantSegregation(t testing.TB, err error, rule string) {
	t.Helper()
	var se *SegregationError
	if !errors.As(err, &se) || se.Rule != rule || !errors.Is(err, ErrSegregation) {
		t.Fatalf("got %v, want segregation rule %s", err, rule)
	}
}
