package whatif

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/catalogue"
	"aidtrail/domain/fault"
)

// capped pays a fixed amount per case under an annual cap.
func capped(amount, capFen int64) catalogue.Definition {
	return catalogue.Definition{Code: "AID", Name: "补助", Category: catalogue.CategoryHardship, OwnerUnitID: uuid.New(),
		AmountRule: catalogue.FixedRule(amount), AnnualCapFen: capFen, MaxTimesPerYear: 12,
		RequiredDocuments: []string{"invoice"}, BudgetLine: "aid.x", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf}}
}

// history drives a replay like the global order would.
type history struct {
	t   *testing.T
	r   *Replay
	at  time.Time
	emp uuid.UUID
}

func newHistory(t *testing.T, current, draft catalogue.Definition) *history {
	r, err := NewReplay(draft)
	if err != nil {
		t.Fatal(err)
	}
	current.Version = 1
	r.Version(current)
	return &history{t: t, r: r, at: time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC), emp: uuid.New()}
}

func (h *history) tick() time.Time { h.at = h.at.Add(time.Hour); return h.at }

func (h *history) open(requested int64) uuid.UUID {
	id := uuid.New()
	h.r.Opened(Facts{CaseID: id, EmployeeID: h.emp, UnitID: uuid.New(), Beneficiary: catalogue.BeneficiarySelf, RequestedFen: requested})
	h.r.DocumentAdded(id, "invoice")
	return id
}

func (h *history) submit(id uuid.UUID, maxFen int64) { h.r.Submitted(id, h.tick(), 1, maxFen) }
func (h *history) grant(id uuid.UUID, fen int64)     { h.r.Granted(id, h.emp, 2025, fen, h.tick()) }

func (h *history) outcome(id uuid.UUID) Outcome {
	for _, o := range h.r.Outcomes() {
		if o.CaseID == id {
			return o
		}
	}
	h.t.Fatalf("no outcome for %s", id)
	return Outcome{}
}

// Caps count in the order grants were recorded: with a cap of 150, case B
// opened first but submitted after A's grant of 100 was allowed 50, and
// took it; a cap of 180 allows it 80 — not 100 with A cut to 80, as
// counting in the order of opening would give.
func TestCapsCountInTheOrderGrantsWereRecorded(t *testing.T) {
	t.Parallel()
	h := newHistory(t, capped(100, 150), capped(100, 180))
	b := h.open(100)
	a := h.open(100)
	h.submit(a, 100)
	h.grant(a, 100)
	h.submit(b, 50)
	h.grant(b, 50)
	if o := h.outcome(a); o.DraftFen != 100 || o.DeltaFen() != 0 {
		t.Errorf("A: %+v", o)
	}
	if o := h.outcome(b); o.DraftFen != 80 || o.DraftLimitFen != 80 || o.DeltaFen() != 30 {
		t.Errorf("B: %+v", o)
	}
}

// Two cases submitted before either was granted were both checked on an
// empty ledger, as the live system checked them; the draft sees the same.
func TestCasesSubmittedTogetherSeeTheSameLedger(t *testing.T) {
	t.Parallel()
	h := newHistory(t, capped(100, 150), capped(100, 150))
	a, b := h.open(100), h.open(100)
	h.submit(a, 100)
	h.submit(b, 100)
	h.grant(a, 100)
	h.grant(b, 100)
	for _, id := range []uuid.UUID{a, b} {
		if o := h.outcome(id); o.DeltaFen() != 0 || o.DraftLimitFen != 100 {
			t.Errorf("%+v", o)
		}
	}
}

// An approver's choices stand: a rejection stays one, a grant below the
// limit stays that grant, at most the draft's lower limit.
func TestApproversDecisionsStand(t *testing.T) {
	t.Parallel()
	h := newHistory(t, capped(100, 1000), capped(60, 1000))
	below, rejected, full := h.open(100), h.open(100), h.open(100)
	h.submit(below, 100)
	h.grant(below, 40)
	h.submit(rejected, 100)
	h.r.Rejected(rejected, h.tick())
	h.submit(full, 100)
	h.grant(full, 100)
	if o := h.outcome(below); o.DraftFen != 40 {
		t.Errorf("a grant of 40 below both limits: %+v", o)
	}
	if o := h.outcome(rejected); o.Kind != KindRejected || o.DraftFen != 0 || !o.EligibleAfter {
		t.Errorf("a rejection: %+v", o)
	}
	if o := h.outcome(full); o.DraftFen != 60 || o.DeltaFen() != -40 {
		t.Errorf("a full grant under a lower amount: %+v", o)
	}
}

// A case the standard allowed nothing, withdrawn unsubmitted, is refused;
// a draft that allows it grants what it asked, and it is newly eligible.
// A case withdrawn while the standard allowed it is the applicant's choice
// and not replayed.
func TestRefusedCasesCountWhenTheDraftAllowsThem(t *testing.T) {
	t.Parallel()
	h := newHistory(t, capped(100, 100), capped(100, 300))
	first := h.open(100)
	h.submit(first, 100)
	h.grant(first, 100)
	refused := h.open(70)
	h.r.Withdrawn(refused, h.tick())
	o := h.outcome(refused)
	if o.Kind != KindRefused || o.EligibleBefore || !o.EligibleAfter || o.DraftFen != 70 || o.CurrentFen != 0 {
		t.Errorf("refused: %+v", o)
	}
	chosen := uuid.New()
	h.r.Opened(Facts{CaseID: chosen, EmployeeID: uuid.New(), Beneficiary: catalogue.BeneficiarySelf, RequestedFen: 10})
	h.r.DocumentAdded(chosen, "invoice")
	h.r.Withdrawn(chosen, h.tick())
	if n := len(h.r.Outcomes()); n != 2 {
		t.Errorf("%d outcomes, want the grant and the refusal", n)
	}
}

// A draft that requires a document the case lacks, or no longer covers
// its beneficiary, allows it nothing and says why.
func TestDraftRefusalsSayWhy(t *testing.T) {
	t.Parallel()
	more := capped(100, 1000)
	more.RequiredDocuments = []string{"invoice", "diagnosis"}
	h := newHistory(t, capped(100, 1000), more)
	id := h.open(100)
	h.submit(id, 100)
	h.grant(id, 100)
	if o := h.outcome(id); o.EligibleAfter || o.DraftFen != 0 || o.DraftRefusal != NotMissingDocuments {
		t.Errorf("%+v", o)
	}
}

func TestDecodeDraft(t *testing.T) {
	t.Parallel()
	base := capped(100, 1000)
	d, err := DecodeDraft([]byte(`{"annual_cap_fen":5000,"amount_rule":{"kind":"percent_of_expense","percent":40,"cap_fen":900}}`))
	if err != nil {
		t.Fatal(err)
	}
	def, err := d.Over(base)
	if err != nil || def.AnnualCapFen != 5000 || def.AmountRule.Kind() != catalogue.KindPercentOfExpense || def.BudgetLine != base.BudgetLine {
		t.Errorf("%+v %v", def, err)
	}
	for body, field := range map[string]string{
		`[]`:                           "draft",
		`{"code":"X"}`:                 "draft.code",
		`{"annual_cap_fen":null}`:      "draft.annual_cap_fen",
		`{"annual_cap_fen":1.5}`:       "draft.annual_cap_fen",
		`{"amount_rule":{"kind":"x"}}`: "draft.amount_rule.kind",
		`{"max_times_per_year":0}`:     "draft.max_times_per_year",
		`{"beneficiaries":[]}`:         "draft.beneficiaries",
		`{"required_documents":["A"]}`: "draft.required_documents[0]",
	} {
		d, err := DecodeDraft([]byte(body))
		if err == nil {
			_, err = d.Over(base)
		}
		if err == nil {
			t.Errorf("%s: accepted", body)
			continue
		}
		if got := fieldOf(err); got != field {
			t.Errorf("%s: field %q, want %q (%v)", body, got, field, err)
		}
	}
}

func fieldOf(err error) string {
	var ve *fault.ValidationError
	if errors.As(err, &ve) {
		return ve.Field
	}
	return ""
}
