package casework

import (
	"time"

	"github.com/google/uuid"
)

// Event types of a case stream. They are stored; never rename them.
const (
	TypeCaseOpened            = "case.opened"
	TypeCaseDocumentAdded     = "case.document_added"
	TypeCaseSubmitted         = "case.submitted"
	TypeCaseStepDecided       = "case.step_decided"
	TypeCaseStepReassigned    = "case.step_reassigned"
	TypeCaseReturned          = "case.returned"
	TypeCaseApproved          = "case.approved"
	TypeCaseRejected          = "case.rejected"
	TypeCaseWithdrawn         = "case.withdrawn"
	TypeCasePaymentInstructed = "case.payment_instructed"
	TypeCasePaymentConfirmed  = "case.payment_confirmed"
	TypeCasePaymentFailed     = "case.payment_failed"
	TypeCasePaid              = "case.paid"
	TypeCaseClosed            = "case.closed"
)

// CaseEventTypes lists every event type a case stream may hold.
func CaseEventTypes() []string {
	return []string{TypeCaseOpened, TypeCaseDocumentAdded, TypeCaseSubmitted, TypeCaseStepDecided,
		TypeCaseStepReassigned, TypeCaseReturned, TypeCaseApproved, TypeCaseRejected, TypeCaseWithdrawn,
		TypeCasePaymentInstructed, TypeCasePaymentConfirmed, TypeCasePaymentFailed, TypeCasePaid, TypeCaseClosed}
}

// Beneficiary is the person the aid is for: the employee (relation self) or
// a family member. The name is sealed.
type Beneficiary struct {
	Relation Relation `json:"relation"`
	Name     Sealed   `json:"name"`
}

// CaseOpened is the payload of case.opened, the first event of a case
// stream. EmployeeAccountID is the employee's own login, absent when the
// employee has none; OnBehalf is true when someone else (a caseworker,
// 代办) opened the case.
type CaseOpened struct {
	CaseID            uuid.UUID   `json:"case_id"`
	EmployeeID        uuid.UUID   `json:"employee_id"`
	EmployeeAccountID *uuid.UUID  `json:"employee_account_id,omitempty"`
	UnitID            uuid.UUID   `json:"unit_id"`
	Beneficiary       Beneficiary `json:"beneficiary"`
	StandardCode      string      `json:"standard_code"`
	Category          string      `json:"category"`
	Causes            []string    `json:"causes"`
	ExpenseFen        int64       `json:"expense_fen"`
	RequestedFen      int64       `json:"requested_fen"`
	Description       Sealed      `json:"description"`
	OpenedByAccountID uuid.UUID   `json:"opened_by_account_id"`
	OnBehalf          bool        `json:"on_behalf"`
	// DiscoveryID is the discovery item the case answers, when it was
	// opened from the discovery list.
	DiscoveryID *uuid.UUID `json:"discovery_id,omitempty"`
}

// Document describes one file added to a case; the file itself lives in
// document storage under its SHA-256.
type Document struct {
	Kind        string `json:"kind"`
	SHA256      string `json:"sha256"` // 64 lowercase hex digits
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// CaseDocumentAdded is the payload of case.document_added.
type CaseDocumentAdded = Document

// CaseStep is a step of a submitted case: a flow step that applies to the
// case's amount.
type CaseStep struct {
	Name              string    `json:"name"`
	AssigneeAccountID uuid.UUID `json:"assignee_account_id"`
}

// CaseSubmitted is the payload of case.submitted, recorded at the first
// submission and at every resubmission after a return. A resubmission
// repeats the first submission's standard version, maximum, amount and
// flow (invariant 8); Steps are the applicable steps in order, with their
// assignees as handed over since.
type CaseSubmitted struct {
	StandardVersion int        `json:"standard_version"`
	MaxPayableFen   int64      `json:"max_payable_fen"`
	AmountFen       int64      `json:"amount_fen"`
	FlowUnitID      uuid.UUID  `json:"flow_unit_id"`
	FlowVersion     int        `json:"flow_version"`
	Steps           []CaseStep `json:"steps"`
}

// CaseStepDecided is the payload of case.step_decided. AmountFen is the
// amount approved at the step (0 for reject and return).
type CaseStepDecided struct {
	Step               string       `json:"step"`
	Decision           DecisionKind `json:"decision"`
	AmountFen          int64        `json:"amount_fen"`
	Reason             string       `json:"reason"`
	DecidedByAccountID uuid.UUID    `json:"decided_by_account_id"`
	DecidedAt          time.Time    `json:"decided_at"`
}

// CaseStepReassigned is the payload of case.step_reassigned: an undecided
// step moved from one person to another, usually their successor when a
// position is vacated.
type CaseStepReassigned struct {
	Step          string    `json:"step"`
	FromAccountID uuid.UUID `json:"from_account_id"`
	ToAccountID   uuid.UUID `json:"to_account_id"`
	Reason        string    `json:"reason"`
}

// CaseReturned is the payload of case.returned: back to the applicant for
// more material.
type CaseReturned struct {
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// CaseApproved is the payload of case.approved, recorded with the last
// step's approval: the amount the case may be paid.
type CaseApproved struct {
	AmountFen int64 `json:"amount_fen"`
}

// CaseRejected is the payload of case.rejected.
type CaseRejected struct {
	Step   string `json:"step"`
	Reason string `json:"reason"`
}

// CaseWithdrawn is the payload of case.withdrawn.
type CaseWithdrawn struct {
	Reason      string    `json:"reason"`
	ByAccountID uuid.UUID `json:"by_account_id"`
}

// CasePaymentInstructed is the payload of case.payment_instructed: an
// amount is on its way to the bank under PaymentID.
type CasePaymentInstructed struct {
	PaymentID uuid.UUID `json:"payment_id"`
	AmountFen int64     `json:"amount_fen"`
}

// CasePaymentConfirmed is the payload of case.payment_confirmed: the bank
// paid the instructed amount.
type CasePaymentConfirmed struct {
	PaymentID uuid.UUID `json:"payment_id"`
	AmountFen int64     `json:"amount_fen"`
}

// CasePaymentFailed is the payload of case.payment_failed: the bank did
// not pay; the amount may be instructed again.
type CasePaymentFailed struct {
	PaymentID uuid.UUID `json:"payment_id"`
	AmountFen int64     `json:"amount_fen"`
	Reason    string    `json:"reason"`
}

// CasePaid is the payload of case.paid, recorded with the confirmation
// that brings confirmed payments to the approved amount.
type CasePaid struct {
	TotalFen int64 `json:"total_fen"`
}

// CaseClosed is the payload of case.closed. Reason may be empty.
type CaseClosed struct {
	Reason string `json:"reason"`
}
