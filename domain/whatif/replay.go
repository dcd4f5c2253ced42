package whatif

import (
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	"aidtrail/domain/catalogue"
)

// Kind is how a case replayed was decided. Stored in answers and
// downloads; never rename the values.
type Kind string

// The kinds of decision a replay reports.
const (
	// KindApproved: approved after the standard allowed it at submission.
	KindApproved Kind = "approved"
	// KindRejected: rejected by an approver after the standard allowed it.
	KindRejected Kind = "rejected"
	// KindRefused: the standard in force allowed nothing for the case, so
	// it was never submitted, and it was withdrawn.
	KindRefused Kind = "refused"
)

// Why the draft allows a case nothing. Stored in answers; never rename.
const (
	NotCoveredBeneficiary = "beneficiary_not_covered"
	NotMissingDocuments   = "missing_documents"
	NotTimesExhausted     = "times_exhausted"
	NotAnnualCap          = "annual_cap"
	NotAmountRule         = "amount_rule"
	NotInvalidClaim       = "invalid_claim"
)

// Outcome is one case as it was decided and as the draft would have
// decided it.
//
// CurrentFen is what was granted (0 unless approved); CurrentLimitFen the
// most the standard allowed at submission, as recorded then (for a refused
// case, what the version in force allowed when it was withdrawn: 0).
// DraftLimitFen is the most the draft allows on the same facts, with the
// employee's caps as the draft would have left them; DraftFen what the
// draft would have granted: an approver's decision stands — a rejection
// stays a rejection, a grant below the limit stays that grant (at most the
// draft's limit) — but a grant that took all the standard allowed takes
// all the draft allows, and a refused case takes what it asked for, at
// most the draft's limit. DraftRefusal says why the draft allows nothing
// ("" when it allows something).
type Outcome struct {
	CaseID, EmployeeID, UnitID uuid.UUID
	DecidedAt                  time.Time
	Kind                       Kind
	Version                    int    // the standard's version the case was decided under
	BudgetLine                 string // that version's budget line
	DraftBudgetLine            string
	RequestedFen               int64
	CurrentFen                 int64
	CurrentLimitFen            int64
	DraftLimitFen              int64
	DraftFen                   int64
	EligibleBefore             bool // the standard allowed the case something
	EligibleAfter              bool // the draft allows it something
	DraftRefusal               string
}

// DeltaFen is DraftFen − CurrentFen.
func (o Outcome) DeltaFen() int64 { return o.DraftFen - o.CurrentFen }

// Facts are a case's facts as recorded at opening.
type Facts struct {
	CaseID, EmployeeID, UnitID uuid.UUID
	Beneficiary                catalogue.Beneficiary
	ExpenseFen, RequestedFen   int64
}

// Replay folds the history of one standard's cases, in the global order,
// into outcomes under a draft. Feed it, in that order, the standard's
// versions (Version), the cases opened under the standard (Opened) and
// what happened to them, and every grant under the standard recorded in
// the employees' aid ledgers (Granted), whichever case it was for.
//
// The standard's annual cap and times per year are counted as the live
// system counts them: a case is checked when it is first submitted,
// against the grants recorded in the employee's ledger for the year by
// then; a grant counts from the moment its approval is recorded. The
// draft's ledgers are the same ledgers with each replayed case's draft
// grant in place of its grant. A Replay is not safe for concurrent use.
type Replay struct {
	draft    catalogue.Definition
	versions []catalogue.Definition // versions[i] is version i+1
	cases    map[uuid.UUID]*file
	live     map[ledgerKey]tally
	drafted  map[ledgerKey]tally
	outcomes [][]Outcome // in chunks of outcomeChunk: a year's outcomes are never copied to grow
}

// outcomeChunk is how many outcomes a chunk holds.
const outcomeChunk = 4096

type ledgerKey struct {
	employee uuid.UUID
	year     int
}

type tally struct {
	fen   int64
	times int
}

func (t tally) plus(fen int64) tally {
	if fen <= 0 {
		return t
	}
	return tally{t.fen + fen, t.times + 1}
}

// file is what a replay knows of a case until it is decided.
type file struct {
	Facts
	documents []string
	submitted bool
	version   int
	maxFen    int64 // the most payable, fixed at submission
	draft     verdict
	decided   bool
}

// verdict is what one definition allows a claim.
type verdict struct {
	limit int64
	why   string // "" when limit > 0
}

// NewReplay returns a replay of draft, which must be a valid definition
// (Draft.Over returns one).
func NewReplay(draft catalogue.Definition) (*Replay, error) {
	if err := draft.Validate(); err != nil {
		return nil, err
	}
	return &Replay{draft: draft, cases: map[uuid.UUID]*file{},
		live: map[ledgerKey]tally{}, drafted: map[ledgerKey]tally{}}, nil
}

// Version records the standard's next version, as published or revised.
func (r *Replay) Version(def catalogue.Definition) { r.versions = append(r.versions, def) }

// Opened starts a case opened under the standard.
func (r *Replay) Opened(f Facts) { r.cases[f.CaseID] = &file{Facts: f} }

// DocumentAdded adds a document of kind to the case.
func (r *Replay) DocumentAdded(caseID uuid.UUID, kind string) {
	if c := r.cases[caseID]; c != nil && !c.submitted {
		c.documents = append(c.documents, kind)
	}
}

// Submitted records a case's first submission at at, under version with
// the most payable maxFen as the standard fixed them; the draft checks the
// case now, as the standard did. Resubmissions keep the first's terms and
// change nothing.
func (r *Replay) Submitted(caseID uuid.UUID, at time.Time, version int, maxFen int64) {
	c := r.cases[caseID]
	if c == nil || c.submitted {
		return
	}
	c.submitted, c.version, c.maxFen = true, version, maxFen
	c.draft = r.check(r.draft, c, r.drafted[r.key(c, at)])
}

// Granted records a grant of amountFen under the standard in employee's
// ledger for year, made by the approval of case caseID at at.
func (r *Replay) Granted(caseID, employee uuid.UUID, year int, amountFen int64, at time.Time) {
	k := ledgerKey{employee, year}
	r.live[k] = r.live[k].plus(amountFen)
	c := r.cases[caseID]
	if c == nil || !c.submitted || c.decided {
		r.drafted[k] = r.drafted[k].plus(amountFen)
		return
	}
	o := r.decide(c, at, KindApproved)
	o.CurrentFen = amountFen
	if o.EligibleAfter {
		o.DraftFen = min(amountFen, c.draft.limit)
		if amountFen >= c.maxFen {
			o.DraftFen = c.draft.limit
		}
	}
	r.drafted[k] = r.drafted[k].plus(o.DraftFen)
	r.record(o)
}

// Rejected records an approver's rejection of a submitted case at at.
func (r *Replay) Rejected(caseID uuid.UUID, at time.Time) {
	if c := r.cases[caseID]; c != nil && c.submitted && !c.decided {
		r.record(r.decide(c, at, KindRejected))
	}
}

// Withdrawn records a case withdrawn at at. A case withdrawn before it was
// ever submitted, for which the version in force then allowed nothing, was
// refused by the standard: the draft decides it now. Any other withdrawal
// was the applicant's choice and is not replayed.
func (r *Replay) Withdrawn(caseID uuid.UUID, at time.Time) {
	c := r.cases[caseID]
	if c == nil || c.submitted || c.decided || len(r.versions) == 0 {
		delete(r.cases, caseID)
		return
	}
	k := r.key(c, at)
	c.version = len(r.versions)
	before := r.check(r.versions[c.version-1], c, r.live[k])
	delete(r.cases, caseID)
	if before.limit > 0 {
		return
	}
	c.draft = r.check(r.draft, c, r.drafted[k])
	o := r.decide(c, at, KindRefused)
	o.EligibleBefore = false
	if o.EligibleAfter {
		o.DraftFen = min(c.RequestedFen, c.draft.limit)
	}
	r.drafted[k] = r.drafted[k].plus(o.DraftFen)
	r.record(o)
}

// record keeps an outcome, in the order of the decisions.
func (r *Replay) record(o Outcome) {
	if n := len(r.outcomes); n == 0 || len(r.outcomes[n-1]) == outcomeChunk {
		r.outcomes = append(r.outcomes, make([]Outcome, 0, outcomeChunk))
	}
	last := &r.outcomes[len(r.outcomes)-1]
	*last = append(*last, o)
}

// Outcomes returns the cases decided so far, in the order they were
// decided, in a slice of its own.
func (r *Replay) Outcomes() []Outcome { return slices.Concat(r.outcomes...) }

// decide closes c at at and returns its outcome without amounts.
func (r *Replay) decide(c *file, at time.Time, kind Kind) Outcome {
	c.decided = true
	delete(r.cases, c.CaseID)
	o := Outcome{CaseID: c.CaseID, EmployeeID: c.EmployeeID, UnitID: c.UnitID, DecidedAt: at, Kind: kind,
		Version: c.version, DraftBudgetLine: r.draft.BudgetLine, RequestedFen: c.RequestedFen,
		CurrentLimitFen: c.maxFen, DraftLimitFen: c.draft.limit, EligibleBefore: true,
		EligibleAfter: c.draft.limit > 0, DraftRefusal: c.draft.why}
	if c.version >= 1 && c.version <= len(r.versions) {
		o.BudgetLine = r.versions[c.version-1].BudgetLine
	}
	return o
}

// key is the ledger c's check at at reads: its employee's, that year's.
func (r *Replay) key(c *file, at time.Time) ledgerKey {
	return ledgerKey{c.EmployeeID, calendar.Year(at)}
}

// check runs def's Check on c's facts with the grants t already made this
// year. A request above the limit still leaves the limit: under def the
// applicant would have asked for no more.
func (r *Replay) check(def catalogue.Definition, c *file, t tally) verdict {
	limit, err := def.Check(catalogue.Claim{Beneficiary: c.Beneficiary, ExpenseFen: c.ExpenseFen,
		RequestedFen: c.RequestedFen, DocumentKinds: c.documents, PaidThisYearFen: t.fen, TimesThisYear: t.times})
	var capErr *catalogue.CapError
	switch {
	case err == nil:
		return verdict{limit: limit}
	case errors.As(err, &capErr):
		if capErr.Limit > 0 {
			return verdict{limit: capErr.Limit}
		}
		if capErr.Reason == catalogue.CapReasonAnnualCap {
			return verdict{why: NotAnnualCap}
		}
		return verdict{why: NotAmountRule}
	case errors.Is(err, catalogue.ErrBeneficiaryNotCovered):
		return verdict{why: NotCoveredBeneficiary}
	case errors.Is(err, catalogue.ErrMissingDocuments):
		return verdict{why: NotMissingDocuments}
	case errors.Is(err, catalogue.ErrTimesExhausted):
		return verdict{why: NotTimesExhausted}
	default:
		return verdict{why: NotInvalidClaim}
	}
}
