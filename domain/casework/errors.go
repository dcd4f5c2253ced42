package casework

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// Errors of the casework package. Match them with errors.Is and errors.As,
// never with a type assertion: callers wrap them. The HTTP layer maps
// fault.ErrInvalid to 400 validation, ErrNotAssignee to 403 forbidden,
// ErrSegregation to 403 segregation_of_duties, ErrAlreadyPaid to 409
// already_paid, fault.ErrInvalidState (ErrOverpay included) to 409 invalid_state,
// ErrInconsistent to 409 conflict and fault.ErrHistory to 500.
var (
	// ErrNotCurrentStep: a decision names a step that is not the one
	// waiting (decided already, or a later one).
	ErrNotCurrentStep = fault.State("not the step waiting for a decision")

	// ErrOverpay: a payment would take instructed and confirmed payments
	// above the approved amount. Carried by an *OverpayError.
	ErrOverpay = fault.State("payment exceeds the approved amount")

	// ErrAlreadyPaid: the approved amount is paid or instructed in full;
	// nothing remains to pay. Carried by an *OverpayError.
	ErrAlreadyPaid = errors.New("case already paid")

	// ErrMissingDocuments: submitting needs documents the case lacks.
	// Carried by a *MissingDocumentsError, which also matches fault.ErrInvalid.
	ErrMissingDocuments = errors.New("required documents are missing")

	// ErrNotAssignee: the actor is not the person the step is assigned to.
	ErrNotAssignee = errors.New("not the step's assignee")

	// ErrSegregation: the action would let one person hold two roles in a
	// case that must stay apart. Carried by a *SegregationError.
	ErrSegregation = errors.New("segregation of duties")

	// ErrInconsistent: the caller's view disagrees with the aggregate (a
	// hand-over from someone who no longer holds the step, a payment id the
	// case does not know). A stale read or a bug; reload and retry.
	ErrInconsistent = errors.New("caller's view does not agree with the aggregate")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

func stateErr(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// Segregation rules a *SegregationError names.
const (
	RuleOpener    = "opener"    // the account that filed the case
	RuleApplicant = "applicant" // the employee's own account
	RuleTwoSteps  = "two_steps" // one account, two steps of one case
)

// SegregationError: Account may not decide or take Step because of Rule.
// It matches ErrSegregation.
type SegregationError struct {
	Account uuid.UUID
	Step    string
	Rule    string
}

func (e *SegregationError) Error() string {
	return fmt.Sprintf("account %s may not act on step %q: %s (%s)", e.Account, e.Step, ErrSegregation, e.Rule)
}

// Is makes errors.Is(err, ErrSegregation) true.
func (e *SegregationError) Is(target error) bool { return target == ErrSegregation }

// OverpayError: a payment of RequestedFen was refused because
// PaidFen + OutstandingFen + RequestedFen would exceed ApprovedFen. It
// matches ErrAlreadyPaid when nothing remains to pay, else ErrOverpay.
type OverpayError struct {
	ApprovedFen, PaidFen, OutstandingFen, RequestedFen int64
}

// RemainingFen is what may still be instructed.
func (e *OverpayError) RemainingFen() int64 { return e.ApprovedFen - e.PaidFen - e.OutstandingFen }

func (e *OverpayError) Error() string {
	return fmt.Sprintf("payment of %d fen refused: approved %d, paid %d, outstanding %d", e.RequestedFen, e.ApprovedFen, e.PaidFen, e.OutstandingFen)
}

// Unwrap returns ErrAlreadyPaid or ErrOverpay.
func (e *OverpayError) Unwrap() error {
	if e.RemainingFen() <= 0 {
		return ErrAlreadyPaid
	}
	return ErrOverpay
}

// MissingDocumentsError lists the document kinds a submission lacks. It
// matches ErrMissingDocuments and fault.ErrInvalid (field "documents").
type MissingDocumentsError struct {
	Kinds []string
}

func (e *MissingDocumentsError) Error() string {
	return "missing documents: " + strings.Join(e.Kinds, ", ")
}

// Unwrap exposes ErrMissingDocuments and the validation error.
func (e *MissingDocumentsError) Unwrap() []error {
	return []error{ErrMissingDocuments, &fault.ValidationError{Field: "documents", Reason: "missing " + strings.Join(e.Kinds, ", ")}}
}
