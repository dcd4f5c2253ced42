package catalogue

import (
	"slices"
)

// Claim is what a case asks of a standard, with what the employee already
// received under it this calendar year (the command layer sums that from
// the cases decided under any version of the standard).
type Claim struct {
	Beneficiary     Beneficiary
	ExpenseFen      int64    // the expense the aid is for; 0 when the rule does not depend on it
	RequestedFen    int64    // the amount asked for, above 0
	DocumentKinds   []string // kinds of the documents attached to the case
	PaidThisYearFen int64    // already received under this standard this year
	TimesThisYear   int      // times already received under this standard this year
}

// Check decides whether d allows claim c and returns the most it may pay,
// min(rule.MaxPayable(expense), annual cap − paid this year), floored at 0.
// In order it refuses: a malformed claim (*fault.ValidationError); a beneficiary
// the standard does not cover (ErrBeneficiaryNotCovered); missing required
// documents (*MissingDocumentsError naming them); times this year already
// at max_times_per_year (ErrTimesExhausted); a request above the payable
// ceiling (*CapError, with the ceiling also returned). d must be valid, as
// every version a Standard holds is.
func (d Definition) Check(c Claim) (maxPayable int64, err error) {
	switch {
	case !c.Beneficiary.Valid():
		return 0, invalid("beneficiary.relation", "must be self, spouse, child or parent")
	case c.ExpenseFen < 0:
		return 0, invalid("expense_fen", "must be 0 or more")
	case c.RequestedFen <= 0:
		return 0, invalid("requested_fen", "must be above 0")
	case c.PaidThisYearFen < 0:
		return 0, invalid("paid_this_year_fen", "must be 0 or more")
	case c.TimesThisYear < 0:
		return 0, invalid("times_this_year", "must be 0 or more")
	case !slices.Contains(d.Beneficiaries, c.Beneficiary):
		return 0, ErrBeneficiaryNotCovered
	}
	if missing := d.MissingDocuments(c.DocumentKinds); len(missing) > 0 {
		return 0, &MissingDocumentsError{Kinds: missing}
	}
	if c.TimesThisYear >= d.MaxTimesPerYear {
		return 0, ErrTimesExhausted
	}
	byRule, err := d.AmountRule.MaxPayable(c.ExpenseFen)
	if err != nil {
		return 0, err
	}
	left := max(d.AnnualCapFen-c.PaidThisYearFen, 0)
	limit, reason := byRule, CapReasonAmountRule
	if left < byRule {
		limit, reason = left, CapReasonAnnualCap
	}
	if c.RequestedFen > limit {
		return limit, &CapError{Limit: limit, Requested: c.RequestedFen, Reason: reason}
	}
	return limit, nil
}

// MissingDocuments returns the kinds of document d requires that kinds
// lacks, in d's order; none when all are there.
func (d Definition) MissingDocuments(kinds []string) []string {
	missing := []string{}
	for _, k := range d.RequiredDocuments {
		if !slices.Contains(kinds, k) {
			missing = append(missing, k)
		}
	}
	return missing
}
