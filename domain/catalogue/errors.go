package catalogue

import (
	"errors"
	"fmt"
	"strings"

	"aidtrail/domain/fault"
)

// Errors of the catalogue package. Match them with errors.Is and errors.As,
// never with a type assertion: callers wrap them. The HTTP layer maps
// fault.ErrInvalid to 400 validation, ErrNotEligible and ErrOverCap to 422,
// fault.ErrInvalidState to 409 invalid_state, ErrVersionNotFound to 404 not_found
// and fault.ErrHistory to 500 (a stream it cannot replay is a bug or corruption,
// never the client's fault).
var (
	// ErrAlreadyPublished: a standard with that code exists already; its
	// next version is a revision, not a second publication. The command
	// layer returns it when the stream exists, and replay refuses a stream
	// published twice.
	ErrAlreadyPublished = fault.State("standard is already published")

	// ErrRetired: a retired standard is neither revised nor retired again.
	// Cases decided under it keep their version.
	ErrRetired = fault.State("standard is retired")

	// ErrVersionNotFound: the standard never had that version.
	ErrVersionNotFound = errors.New("standard version not found")

	// ErrNotEligible: a claim does not meet the standard's conditions. The
	// more precise sentinels below wrap it.
	ErrNotEligible = errors.New("not eligible under the standard")

	// ErrBeneficiaryNotCovered: the standard does not cover the claim's
	// beneficiary relation.
	ErrBeneficiaryNotCovered = fmt.Errorf("%w: beneficiary not covered", ErrNotEligible)

	// ErrMissingDocuments: required documents are missing. Carried by a
	// *MissingDocumentsError naming them.
	ErrMissingDocuments = fmt.Errorf("%w: required documents missing", ErrNotEligible)

	// ErrTimesExhausted: the employee already received the standard's aid
	// as many times this year as it allows.
	ErrTimesExhausted = fmt.Errorf("%w: times per year used up", ErrNotEligible)

	// ErrOverCap: the amount requested is above what the standard allows.
	// Carried by a *CapError saying the limit and which rule set it.
	ErrOverCap = errors.New("requested amount is above the standard's limit")
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

// MissingDocumentsError: the claim lacks the document Kinds, in the order
// the standard lists them. It matches ErrMissingDocuments and ErrNotEligible.
type MissingDocumentsError struct {
	Kinds []string
}

func (e *MissingDocumentsError) Error() string {
	return "required documents missing: " + strings.Join(e.Kinds, ", ")
}

// Unwrap returns ErrMissingDocuments.
func (e *MissingDocumentsError) Unwrap() error { return ErrMissingDocuments }

// Which limit a CapError reports.
const (
	CapReasonAmountRule = "amount_rule" // the rule's amount for this expense
	CapReasonAnnualCap  = "annual_cap"  // what the annual cap leaves this year
)

// CapError: Requested fen is above Limit, the most the standard allows for
// the claim; Reason (CapReasonAmountRule or CapReasonAnnualCap) says which
// limit is the lower. It matches ErrOverCap.
type CapError struct {
	Limit     int64
	Requested int64
	Reason    string
}

func (e *CapError) Error() string {
	return fmt.Sprintf("requested %d fen is above the limit of %d fen set by the %s", e.Requested, e.Limit, strings.ReplaceAll(e.Reason, "_", " "))
}

// Is makes errors.Is(err, ErrOverCap) true.
func (e *CapError) Is(target error) bool { return target == ErrOverCap }

// errNotStarted: a stream whose first event does not create the aggregate.
var errNotStarted = errors.New("the stream's first event must be standard.published")
