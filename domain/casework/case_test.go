package casework

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestOpenRefusesInvalidInput(t *testing.T) {
	t.Parallel()
	nilID := uuid.Nil
	tests := []struct {
		field string
		edit  func(p *OpenParams)
	}{
		{"id", func(p *OpenParams) { p.CaseID = uuid.Nil }},
		{"employee_id", func(p *OpenParams) { p.EmployeeID = uuid.Nil }},
		{"employee_account_id", func(p *OpenParams) { p.EmployeeAccountID = &nilID }},
		{"unit_id", func(p *OpenParams) { p.UnitID = uuid.Nil }},
		{"opened_by_account_id", func(p *OpenParams) { p.OpenedBy = uuid.Nil }},
		{"beneficiary.relation", func(p *OpenParams) { p.Beneficiary.Relation = "cousin" }},
		{"beneficiary.name", func(p *OpenParams) { p.Beneficiary.Name = "" }},
		{"beneficiary.name", func(p *OpenParams) { p.Beneficiary.Name = "a\x00" }},
		{"standard_code", func(p *OpenParams) { p.StandardCode = "MED 01" }},
		{"category", func(p *OpenParams) { p.Category = "Medical" }},
		{"causes", func(p *OpenParams) { p.Causes = make([]string, MaxCauses+1) }},
		{"causes[0]", func(p *OpenParams) { p.Causes = []string{" "} }},
		{"causes[1]", func(p *OpenParams) { p.Causes = []string{"illness", "illness"} }},
		{"causes[0]", func(p *OpenParams) { p.Causes = []string{strings.Repeat("x", MaxCauseRunes+1)} }},
		{"expense_fen", func(p *OpenParams) { p.ExpenseFen = -1 }},
		{"requested_fen", func(p *OpenParams) { p.RequestedFen = 0 }},
		{"requested_fen", func(p *OpenParams) { p.RequestedFen = MaxAmountFen + 1 }},
		{"description", func(p *OpenParams) { p.Description = "" }},
		{"description", func(p *OpenParams) { p.Description = Sealed(strings.Repeat("x", MaxSealedLen+1)) }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			p := openParams(newActors())
			tt.edit(&p)
			c, err := Open(p)
			wantField(t, err, tt.field)
			aggtest.WantErr(t, err, fault.ErrInvalid)
			if c != nil {
				t.Fatal("returned a case with the error")
			}
		})
	}
}

func TestOpenRecordsWhoFiledIt(t *testing.T) {
	t.Parallel()
	a := newActors()
	p := openParams(a)
	p.Beneficiary = Beneficiary{Relation: RelationSelf}
	c, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	_, c = commit(t, nil, c)
	if !c.OnBehalf() || c.OpenedBy() != a.opener || c.Status() != StatusDraft || c.StandardVersion() != 0 || len(c.Steps()) != 0 {
		t.Fatalf("opened on behalf: %+v", c.s)
	}
	p = openParams(a)
	p.OpenedBy = a.employee
	c, err = Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.OnBehalf() {
		t.Fatal("the employee's own application is marked on behalf")
	}
	p.EmployeeAccountID = nil
	if c, _ = Open(p); !c.OnBehalf() {
		t.Fatal("an employee without login cannot have filed it")
	}
}

func TestAddDocument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		field string
		doc   Document
	}{
		{"kind", Document{Kind: "Invoice", SHA256: sha, Size: 1, ContentType: "image/png"}},
		{"sha256", Document{Kind: "invoice", SHA256: strings.ToUpper(sha), Size: 1, ContentType: "image/png"}},
		{"sha256", Document{Kind: "invoice", SHA256: sha[:63], Size: 1, ContentType: "image/png"}},
		{"size", Document{Kind: "invoice", SHA256: sha, Size: 0, ContentType: "image/png"}},
		{"size", Document{Kind: "invoice", SHA256: sha, Size: MaxDocumentSize + 1, ContentType: "image/png"}},
		{"content_type", Document{Kind: "invoice", SHA256: sha, Size: 1, ContentType: "png"}},
		{"content_type", Document{Kind: "invoice", SHA256: sha, Size: 1, ContentType: "image/ png"}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			f := draft(t)
			wantField(t, f.c.AddDocument(tt.doc), tt.field)
		})
	}
	t.Run("same file twice records nothing", func(t *testing.T) {
		t.Parallel()
		f := draft(t)
		if err := f.c.AddDocument(f.c.Documents()[0]); err != nil || len(f.c.Changes()) != 0 {
			t.Fatalf("err %v, %d events", err, len(f.c.Changes()))
		}
	})
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	t.Run("keeps the steps that apply to the amount, in order", func(t *testing.T) {
		t.Parallel()
		f := draft(t)
		f.must(t, f.c.Submit(f.a.submitParams()))
		steps := f.c.Steps()
		if len(steps) != 2 || steps[0].Name != "station review" || steps[1].Assignee != f.a.a2 {
			t.Fatalf("steps %+v", steps)
		}
		unit, ver, ok := f.c.Flow()
		if f.c.StandardVersion() != 3 || f.c.MaxPayableFen() != 40_000 || unit != f.a.flowUnit || ver != 2 || !ok {
			t.Fatal("submission terms not kept")
		}
		if open := f.c.OpenSteps(); len(open) != 1 || open[0].Assignee != f.a.a1 || open[0].Blocked {
			t.Fatalf("open steps %+v", open)
		}
	})
	t.Run("a large amount needs every step", func(t *testing.T) {
		t.Parallel()
		a := newActors()
		p := openParams(a)
		p.RequestedFen = 100_000
		c, _ := Open(p)
		_ = c.AddDocument(Document{Kind: "invoice", SHA256: sha, Size: 1, ContentType: "image/png"})
		if err := c.Submit(a.submitParams()); err != nil || len(c.Steps()) != 3 {
			t.Fatalf("err %v, steps %+v", err, c.Steps())
		}
	})
	t.Run("missing documents are named", func(t *testing.T) {
		t.Parallel()
		f := draft(t)
		p := f.a.submitParams()
		p.RequiredDocuments = []string{"invoice", "diagnosis", "id_card", "diagnosis"}
		err := f.c.Submit(p)
		var me *MissingDocumentsError
		if !errors.As(err, &me) || strings.Join(me.Kinds, ",") != "diagnosis,id_card" {
			t.Fatalf("got %v", err)
		}
		aggtest.WantErr(t, err, ErrMissingDocuments)
		aggtest.WantErr(t, err, fault.ErrInvalid)
	})
	refusals := []struct {
		field string
		edit  func(p *SubmitParams)
	}{
		{"standard_version", func(p *SubmitParams) { p.StandardVersion = 0 }},
		{"max_payable_fen", func(p *SubmitParams) { p.MaxPayableFen = 0 }},
		{"flow_unit_id", func(p *SubmitParams) { p.FlowUnitID = uuid.Nil }},
		{"flow_version", func(p *SubmitParams) { p.FlowVersion = 0 }},
		{"steps", func(p *SubmitParams) { p.Steps = nil }},
		{"steps[1].assignee_account_id", func(p *SubmitParams) { p.Steps[1].AssigneeAccountID = p.Steps[0].AssigneeAccountID }},
		{"steps", func(p *SubmitParams) { p.Steps = p.Steps[2:] }}, // only the 1,000-yuan step: none applies
	}
	for _, tt := range refusals {
		t.Run("refuses "+tt.field, func(t *testing.T) {
			t.Parallel()
			f := draft(t)
			p := f.a.submitParams()
			tt.edit(&p)
			wantField(t, f.c.Submit(p), tt.field)
		})
	}
}

func TestDecideWalksTheSteps(t *testing.T) {
	t.Parallel()
	f := inStatus(t, StatusInReview)
	f.must(t, f.c.Decide(decision("station review", Approve, 35_000, f.a.a1), now))
	if f.c.Status() != StatusInReview || f.c.CurrentAmountFen() != 35_000 || f.c.OpenSteps()[0].Name != "union chair" {
		t.Fatalf("after the first approval: %+v", f.c.s)
	}
	f.must(t, f.c.Decide(decision("union chair", Approve, 30_000, f.a.a2), now.Add(-8*time.Hour).In(calendar.Zone)))
	if f.c.Status() != StatusApproved || f.c.ApprovedFen() != 30_000 || f.c.OpenSteps() != nil {
		t.Fatalf("after the last approval: %+v", f.c.s)
	}
	steps := f.c.Steps()
	if steps[1].DecidedBy != f.a.a2 || steps[1].Decision != Approve || !steps[1].DecidedAt.Equal(now.Add(-8*time.Hour)) || steps[1].DecidedAt.Location().String() != "UTC" {
		t.Fatalf("step view %+v", steps[1])
	}
}

func TestDecideRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		d     func(a actors) Decision
		check func(t *testing.T, err error)
	}{
		{"a later step", func(a actors) Decision { return decision("union chair", Approve, 1, a.a2) },
			func(t *testing.T, err error) { aggtest.WantErr(t, err, ErrNotCurrentStep) }},
		{"not the assignee", func(a actors) Decision { return decision("station review", Approve, 1, a.other) },
			func(t *testing.T, err error) { aggtest.WantErr(t, err, ErrNotAssignee) }},
		{"the opener", func(a actors) Decision { return decision("station review", Approve, 1, a.opener) },
			func(t *testing.T, err error) { wantSegregation(t, err, RuleOpener) }},
		{"the applicant", func(a actors) Decision { return decision("station review", Approve, 1, a.employee) },
			func(t *testing.T, err error) { wantSegregation(t, err, RuleApplicant) }},
		{"above the current amount", func(a actors) Decision { return decision("station review", Approve, 50_001, a.a1) },
			func(t *testing.T, err error) { wantField(t, err, "amount_fen") }},
		{"above the payable maximum", func(a actors) Decision { return decision("station review", Approve, 40_001, a.a1) },
			func(t *testing.T, err error) { wantField(t, err, "amount_fen") }},
		{"approve nothing", func(a actors) Decision { return decision("station review", Approve, 0, a.a1) },
			func(t *testing.T, err error) { wantField(t, err, "amount_fen") }},
		{"reject without reason", func(a actors) Decision { return Decision{Step: "station review", Kind: Reject, By: a.a1} },
			func(t *testing.T, err error) { wantField(t, err, "reason") }},
		{"unknown decision", func(a actors) Decision { return decision("station review", "defer", 0, a.a1) },
			func(t *testing.T, err error) { wantField(t, err, "decision") }},
		{"no actor", func(a actors) Decision { return decision("station review", Approve, 1, uuid.Nil) },
			func(t *testing.T, err error) { wantField(t, err, "decided_by_account_id") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := inStatus(t, StatusInReview)
			tt.check(t, f.c.Decide(tt.d(f.a), now))
			if len(f.c.Changes()) != 0 {
				t.Fatal("a refusal recorded events")
			}
		})
	}
}

func TestALaterStepMayLowerButNeverRaise(t *testing.T) {
	t.Parallel()
	f := inStatus(t, StatusInReview)
	f.must(t, f.c.Decide(decision("station review", Approve, 20_000, f.a.a1), now))
	wantField(t, f.c.Decide(decision("union chair", Approve, 20_001, f.a.a2), now), "amount_fen")
	f.must(t, f.c.Decide(decision("union chair", Approve, 20_000, f.a.a2), now))
	if f.c.ApprovedFen() != 20_000 {
		t.Fatalf("approved %d", f.c.ApprovedFen())
	}
}

func TestOnePersonNeverDecidesTwoSteps(t *testing.T) {
	t.Parallel()
	// a1 decides step 1, then the chair's step is handed to a1: refused.
	f := inStatus(t, StatusInReview)
	f.must(t, f.c.Decide(decision("station review", Approve, 40_000, f.a.a1), now))
	wantSegregation(t, f.c.ReassignStep("union chair", f.a.a2, f.a.a1, ""), RuleTwoSteps)
	// Even across rounds: a1 returns the case at step 1 in the first round;
	// in the second, step 2 cannot pass to a1 even after a3 took step 1.
	f = inStatus(t, StatusReturned)
	f.must(t, f.c.ReassignStep("station review", f.a.a1, f.a.a3, "post changed hands"))
	wantSegregation(t, f.c.ReassignStep("union chair", f.a.a2, f.a.a1, ""), RuleTwoSteps)
	// A step-holder cannot take a second step.
	wantSegregation(t, f.c.ReassignStep("union chair", f.a.a2, f.a.a3, ""), RuleTwoSteps)
}

func TestReassignStep(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		do    func(f *fixture) error
		check func(t *testing.T, err error)
	}{
		{"onto the opener", func(f *fixture) error { return f.c.ReassignStep("union chair", f.a.a2, f.a.opener, "") },
			func(t *testing.T, err error) { wantSegregation(t, err, RuleOpener) }},
		{"onto the applicant", func(f *fixture) error { return f.c.ReassignStep("union chair", f.a.a2, f.a.employee, "") },
			func(t *testing.T, err error) { wantSegregation(t, err, RuleApplicant) }},
		{"from someone who does not hold it", func(f *fixture) error { return f.c.ReassignStep("union chair", f.a.a1, f.a.other, "") },
			func(t *testing.T, err error) { aggtest.WantErr(t, err, ErrInconsistent) }},
		{"an unknown step", func(f *fixture) error { return f.c.ReassignStep("treasurer", f.a.a2, f.a.other, "") },
			func(t *testing.T, err error) { aggtest.WantErr(t, err, ErrInconsistent) }},
		{"to nobody", func(f *fixture) error { return f.c.ReassignStep("union chair", f.a.a2, uuid.Nil, "") },
			func(t *testing.T, err error) { wantField(t, err, "to_account_id") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, tt.do(inStatus(t, StatusInReview)))
		})
	}
	// A decided step passes too, keeping its decision: if the case is
	// returned, every step decides again, and the successor holds it then.
	t.Run("a decided step", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusInReview)
		if err := f.c.Decide(decision("station review", Approve, 1, f.a.a1), now); err != nil {
			t.Fatal(err)
		}
		if err := f.c.ReassignStep("station review", f.a.a1, f.a.other, "岗位调整"); err != nil {
			t.Fatal(err)
		}
		if got := f.c.HeldBy(f.a.a1); len(got) != 0 {
			t.Fatalf("the old holder still holds %v", got)
		}
		if got := f.c.HeldBy(f.a.other); !slices.Equal(got, []string{"station review"}) {
			t.Fatalf("the successor holds %v", got)
		}
		if s := f.c.Steps()[0]; s.Assignee != f.a.other || s.Decision != Approve || s.DecidedBy != f.a.a1 {
			t.Fatalf("the decided step after reassignment: %+v", s)
		}
	})
	t.Run("the successor decides", func(t *testing.T) {
		t.Parallel()
		f := inStatus(t, StatusInReview)
		if held := f.c.HeldBy(f.a.a1); len(held) != 1 || held[0] != "station review" {
			t.Fatalf("held %v", held)
		}
		f.must(t, f.c.ReassignStep("station review", f.a.a1, f.a.other, "post changed hands"))
		aggtest.WantErr(t, f.c.Decide(decision("station review", Approve, 1, f.a.a1), now), ErrNotAssignee)
		f.must(t, f.c.Decide(decision("station review", Approve, 1, f.a.other), now))
	})
}

func TestAStepHeldByTheApplicantIsBlockedUntilHandedOver(t *testing.T) {
	t.Parallel()
	f := draft(t)
	p := f.a.submitParams()
	p.Steps[0].AssigneeAccountID = f.a.employee // the applicant is an approver himself
	f.must(t, f.c.Submit(p))
	if open := f.c.OpenSteps(); !open[0].Blocked {
		t.Fatal("not marked blocked")
	}
	wantSegregation(t, f.c.Decide(decision("station review", Approve, 1, f.a.employee), now), RuleApplicant)
	f.must(t, f.c.ReassignStep("station review", f.a.employee, f.a.a1, "the applicant may not review his own case"))
	f.must(t, f.c.Decide(decision("station review", Approve, 1, f.a.a1), now))
}

// TestResubmissionKeepsTheTermsOfTheFirst is invariant 8: a returned case
// comes back under the standard version and flow of its first submission,
// and review restarts at the first step at the original amount.
func TestResubmissionKeepsTheTermsOfTheFirst(t *testing.T) {
	t.Parallel()
	f := inStatus(t, StatusInReview)
	f.must(t, f.c.Decide(decision("station review", Approve, 30_000, f.a.a1), now))
	f.must(t, f.c.Decide(decision("union chair", Return, 0, f.a.a2), now))
	if f.c.Status() != StatusReturned {
		t.Fatal(f.c.Status())
	}
	aggtest.WantErr(t, f.c.Submit(f.a.submitParams()), fault.ErrInvalidState) // no new terms through Submit
	f.must(t, f.c.AddDocument(Document{Kind: "diagnosis", SHA256: sha, Size: 9, ContentType: "image/jpeg"}))
	f.must(t, f.c.Resubmit())
	unit, ver, _ := f.c.Flow()
	if f.c.StandardVersion() != 3 || unit != f.a.flowUnit || ver != 2 || f.c.MaxPayableFen() != 40_000 {
		t.Fatal("terms changed")
	}
	if f.c.CurrentAmountFen() != 50_000 || f.c.OpenSteps()[0].Name != "station review" || f.c.Steps()[0].Decision != "" {
		t.Fatalf("review did not restart: %+v", f.c.Steps())
	}
	f.must(t, f.c.Decide(decision("station review", Approve, 40_000, f.a.a1), now))
	f.must(t, f.c.Decide(decision("union chair", Approve, 40_000, f.a.a2), now))
	if f.c.ApprovedFen() != 40_000 {
		t.Fatal(f.c.ApprovedFen())
	}
	// A stream whose resubmission carries other terms does not replay.
	data := []byte(`{"standard_version":4,"max_payable_fen":40000,"amount_fen":50000,"flow_unit_id":"` + f.a.flowUnit.String() + `","flow_version":2,"steps":[{"name":"x","assignee_account_id":"` + f.a.a1.String() + `"}]}`)
	g := inStatus(t, StatusReturned)
	h := append(g.history, g.history[len(g.history)-1])
	h[len(h)-1].Version, h[len(h)-1].Type, h[len(h)-1].Data = int64(len(h)), TypeCaseSubmitted, data
	if _, err := LoadCase(g.c.ID(), h); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("got %v", err)
	}
}
