// Package casework holds the work on an aid application: the approval
// flows units configure (Flow) and the case itself (Case), from opening
// through review and approval to payment and closing.
//
// Aggregates here are event-sourced. State is unexported; behaviour methods
// check the rules and record past-tense events, which one apply function per
// aggregate turns into state, both when deciding and when replaying the
// stream (LoadFlow, LoadCase). An aggregate serves one command: load it,
// call its methods, append Changes() at the expected version Version(),
// discard it. It is not safe for concurrent use. When a method returns an
// error it has recorded nothing.
//
// The domain has no clock and reads no other aggregate: the command layer
// passes the time, the standard's version and payable maximum, and the flow
// it resolved. The package imports only the standard library, uuid,
// domain/event and domain/internal/aggregate.
package casework

import (
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
	"aidtrail/domain/internal/text"
)

// CaseStream names the stream of case id: "case-<uuid>". Stored names are
// chosen once; never change this.
func CaseStream(id uuid.UUID) string { return "case-" + id.String() }

// ParseCaseStream returns the case whose stream is stream, or an error.
func ParseCaseStream(stream string) (uuid.UUID, error) { return event.StreamID(stream, "case-") }

// Status is where a case stands. Stored; never change the values.
type Status string

// The statuses of a case.
const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusReturned  Status = "returned"
	StatusApproved  Status = "approved"
	StatusRejected  Status = "rejected"
	StatusWithdrawn Status = "withdrawn"
	StatusPaid      Status = "paid"
	StatusClosed    Status = "closed"
)

// DecisionKind is what an approver decides at a step. Stored; never change
// the values.
type DecisionKind string

// The decisions.
const (
	Approve DecisionKind = "approve"
	Reject  DecisionKind = "reject"
	Return  DecisionKind = "return"
)

// Relation is the beneficiary's relation to the employee. Stored; never
// change the values.
type Relation string

// The relations.
const (
	RelationSelf   Relation = "self"
	RelationSpouse Relation = "spouse"
	RelationChild  Relation = "child"
	RelationParent Relation = "parent"
	RelationOther  Relation = "other"
)

// Valid reports whether r is one of the relations.
func (r Relation) Valid() bool {
	switch r {
	case RelationSelf, RelationSpouse, RelationChild, RelationParent, RelationOther:
		return true
	}
	return false
}

// Case is one application for aid. Create one with Open, rebuild one with
// LoadCase; the zero value is not usable.
type Case struct {
	id uuid.UUID
	s  caseState
	agg.Root
}

type caseState struct {
	o         CaseOpened
	status    Status
	documents []Document
	first     *CaseSubmitted       // the first submission: fixed for the case's life
	amount    int64                // current amount: requested, lowered by approvals
	steps     []stepState          // the current round
	current   int                  // index of the first undecided step
	decided   map[uuid.UUID]string // account → the step it decided, every round
	approved  int64
	paid      int64
	pending   map[uuid.UUID]int64 // instructed payments not yet confirmed or failed
	settled   map[uuid.UUID]bool  // payment ids confirmed or failed
}

type stepState struct {
	name      string
	assignee  uuid.UUID
	decision  DecisionKind
	decidedBy uuid.UUID
	decidedAt time.Time
	amountFen int64  // approved at this step
	reason    string // given with the decision
}

// OpenParams is what opening a case takes. OpenedBy is the acting account:
// the employee's own (EmployeeAccountID) or a caseworker's on their behalf.
type OpenParams struct {
	CaseID            uuid.UUID
	EmployeeID        uuid.UUID
	EmployeeAccountID *uuid.UUID // nil when the employee has no login
	UnitID            uuid.UUID  // the employee's unit when opening
	Beneficiary       Beneficiary
	StandardCode      string
	Category          string
	Causes            []string
	ExpenseFen        int64
	RequestedFen      int64
	Description       Sealed
	OpenedBy          uuid.UUID
	// DiscoveryID, optional, is the discovery item the case answers: the
	// discovery list links them (see package care).
	DiscoveryID *uuid.UUID
}

// Open records case.opened: a draft. Rules: ids non-nil; a known relation
// and, unless the beneficiary is the employee, a sealed name; a standard
// code of 1..32 [A-Za-z0-9_-]; a category of 1..32 [a-z0-9_]; at most 10
// distinct causes of 1..50 characters; expense 0 or more and requested 1 or
// more fen; a sealed description.
func Open(p OpenParams) (*Case, error) {
	switch {
	case p.CaseID == uuid.Nil:
		return nil, invalid("id", "is required")
	case p.EmployeeID == uuid.Nil:
		return nil, invalid("employee_id", "is required")
	case p.EmployeeAccountID != nil && *p.EmployeeAccountID == uuid.Nil:
		return nil, invalid("employee_account_id", "is nil")
	case p.UnitID == uuid.Nil:
		return nil, invalid("unit_id", "is required")
	case p.OpenedBy == uuid.Nil:
		return nil, invalid("opened_by_account_id", "is required")
	case !p.Beneficiary.Relation.Valid():
		return nil, invalid("beneficiary.relation", "must be one of self, spouse, child, parent, other")
	}
	if err := p.Beneficiary.Name.check("beneficiary.name", p.Beneficiary.Relation != RelationSelf); err != nil {
		return nil, err
	}
	if err := text.CheckCode("standard_code", p.StandardCode, MaxCodeLen, true); err != nil {
		return nil, err
	}
	if err := text.CheckCode("category", p.Category, MaxCodeLen, false); err != nil {
		return nil, err
	}
	causes, err := cleanCauses(p.Causes)
	if err != nil {
		return nil, err
	}
	if err := checkAmount("expense_fen", p.ExpenseFen, true); err != nil {
		return nil, err
	}
	if err := checkAmount("requested_fen", p.RequestedFen, false); err != nil {
		return nil, err
	}
	if err := p.Description.check("description", true); err != nil {
		return nil, err
	}
	onBehalf := p.EmployeeAccountID == nil || *p.EmployeeAccountID != p.OpenedBy
	c := &Case{id: p.CaseID, Root: agg.OpenedBy(TypeCaseOpened)}
	return c, agg.Record(&c.Root, c.apply, TypeCaseOpened, CaseOpened{
		CaseID: p.CaseID, EmployeeID: p.EmployeeID, EmployeeAccountID: p.EmployeeAccountID, UnitID: p.UnitID,
		Beneficiary: p.Beneficiary, StandardCode: p.StandardCode, Category: p.Category, Causes: causes,
		ExpenseFen: p.ExpenseFen, RequestedFen: p.RequestedFen, Description: p.Description,
		OpenedByAccountID: p.OpenedBy, OnBehalf: onBehalf, DiscoveryID: p.DiscoveryID,
	})
}

func cleanCauses(causes []string) ([]string, error) {
	if len(causes) > MaxCauses {
		return nil, invalid("causes", "at most %d causes", MaxCauses)
	}
	clean := make([]string, 0, len(causes))
	for i, c := range causes {
		c, err := text.Clean("causes["+strconv.Itoa(i)+"]", c, 1, MaxCauseRunes)
		if err != nil {
			return nil, err
		}
		if slices.Contains(clean, c) {
			return nil, invalid("causes["+strconv.Itoa(i)+"]", "repeats an earlier cause")
		}
		clean = append(clean, c)
	}
	return clean, nil
}

// AddDocument records case.document_added while the case is a draft, in
// review or returned. Rules: a kind of 1..50 [a-z0-9_]; sha256 as 64
// lowercase hex digits; a size of 1 byte to 100 MiB; a content type of
// 1..100 bytes holding "/"; at most 100 documents. Adding a document the
// case already holds under the same kind records nothing.
func (c *Case) AddDocument(d Document) error {
	if !c.in(StatusDraft, StatusInReview, StatusReturned) {
		return c.notAllowed("add a document")
	}
	if err := text.CheckCode("kind", d.Kind, MaxKindLen, false); err != nil {
		return err
	}
	switch {
	case !isHex64(d.SHA256):
		return invalid("sha256", "must be 64 lowercase hex digits")
	case d.Size < 1 || d.Size > MaxDocumentSize:
		return invalid("size", "must be 1 to %d bytes", MaxDocumentSize)
	case len(d.ContentType) > MaxContentTypeLen || !validContentType(d.ContentType):
		return invalid("content_type", "must be a media type such as image/jpeg")
	case slices.ContainsFunc(c.s.documents, func(x Document) bool { return x.Kind == d.Kind && x.SHA256 == d.SHA256 }):
		return nil
	case len(c.s.documents) >= MaxDocuments:
		return invalid("documents", "at most %d documents per case", MaxDocuments)
	}
	return agg.Record(&c.Root, c.apply, TypeCaseDocumentAdded, d)
}

func validContentType(s string) bool {
	slash := false
	for _, ch := range []byte(s) {
		if ch <= ' ' || ch >= 0x7f {
			return false
		}
		slash = slash || ch == '/'
	}
	return slash && s[0] != '/' && s[len(s)-1] != '/'
}

// ID returns the case's id.
func (c *Case) ID() uuid.UUID { return c.id }

// Stream returns CaseStream(c.ID()).
func (c *Case) Stream() string { return CaseStream(c.id) }

// Status returns where the case stands.
func (c *Case) Status() Status { return c.s.status }

// EmployeeID returns the employee who applies.
func (c *Case) EmployeeID() uuid.UUID { return c.s.o.EmployeeID }

// UnitID returns the employee's unit when the case was opened.
func (c *Case) UnitID() uuid.UUID { return c.s.o.UnitID }

// OpenedBy returns the account that opened the case.
func (c *Case) OpenedBy() uuid.UUID { return c.s.o.OpenedByAccountID }

// OnBehalf reports whether someone other than the employee opened the case.
func (c *Case) OnBehalf() bool { return c.s.o.OnBehalf }

// StandardCode returns the code of the standard applied for.
func (c *Case) StandardCode() string { return c.s.o.StandardCode }

// Category returns the category of aid.
func (c *Case) Category() string { return c.s.o.Category }

// StandardVersion returns the standard's version fixed at the first
// submission, 0 before it.
func (c *Case) StandardVersion() int {
	if c.s.first == nil {
		return 0
	}
	return c.s.first.StandardVersion
}

// Flow returns the unit and version of the flow fixed at the first
// submission; ok is false before it.
func (c *Case) Flow() (unit uuid.UUID, version int, ok bool) {
	if c.s.first == nil {
		return uuid.Nil, 0, false
	}
	return c.s.first.FlowUnitID, c.s.first.FlowVersion, true
}

// MaxPayableFen returns the maximum fixed at the first submission, 0
// before it.
func (c *Case) MaxPayableFen() int64 {
	if c.s.first == nil {
		return 0
	}
	return c.s.first.MaxPayableFen
}

// ExpenseFen returns the expense the application states.
func (c *Case) ExpenseFen() int64 { return c.s.o.ExpenseFen }

// Beneficiary returns who the aid is for (the name sealed).
func (c *Case) Beneficiary() Beneficiary { return c.s.o.Beneficiary }

// DiscoveryID returns the discovery item the case was opened from, or nil.
func (c *Case) DiscoveryID() *uuid.UUID { return c.s.o.DiscoveryID }

// Causes returns the causes of hardship the application names.
func (c *Case) Causes() []string { return slices.Clone(c.s.o.Causes) }

// Description returns the application's sealed free text.
func (c *Case) Description() Sealed { return c.s.o.Description }

// RequestedFen returns the amount applied for.
func (c *Case) RequestedFen() int64 { return c.s.o.RequestedFen }

// CurrentAmountFen returns the amount under review: the requested amount,
// lowered by each approval of the current round.
func (c *Case) CurrentAmountFen() int64 { return c.s.amount }

// ApprovedFen returns the approved amount, 0 until the case is approved.
func (c *Case) ApprovedFen() int64 { return c.s.approved }

// PaidFen returns the total of confirmed payments.
func (c *Case) PaidFen() int64 { return c.s.paid }

// OutstandingFen returns the total of instructed payments not yet
// confirmed or failed.
func (c *Case) OutstandingFen() int64 {
	var sum int64
	for _, v := range c.s.pending {
		sum += v
	}
	return sum
}

// Documents returns a copy of the documents, in the order added.
func (c *Case) Documents() []Document { return slices.Clone(c.s.documents) }

func (c *Case) in(statuses ...Status) bool { return slices.Contains(statuses, c.s.status) }

func (c *Case) notAllowed(action string) error {
	return stateErr(fault.ErrInvalidState, "cannot %s: case is %s", action, c.s.status)
}
