package catalogue

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of a standard's definition.
const (
	MinCodeLen         = 2   // codes: [A-Z0-9-]
	MaxCodeLen         = 32  //
	MaxNameRunes       = 100 // names, after trimming
	MaxTimesPerYear    = 52  // aid at most weekly
	MaxDocuments       = 20  // required document kinds
	MaxDocumentKindLen = 40  // document kinds: [a-z0-9_]
	MaxBudgetLineLen   = 64  // budget lines: [a-z0-9_.-]
	MaxReasonRunes     = 500 // reasons for retiring
)

// Definition is one version of a standard: what it pays, to whom, how
// often, against which documents and from which budget line (经费口径).
// A new version replaces the whole definition; a case keeps the version it
// was submitted under. Its JSON form is that of the API and of the
// standard.published and standard.revised payloads.
type Definition struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Category Category `json:"category"`
	// OwnerUnitID is the unit that publishes the standard: the bureau's
	// root for bureau-wide standards, a station for its own programme.
	// Whether the actor may publish there is the command layer's to check.
	OwnerUnitID  uuid.UUID  `json:"owner_unit_id"`
	AmountRule   AmountRule `json:"amount_rule"`
	AnnualCapFen int64      `json:"annual_cap_fen"` // per employee and beneficiary relation, per calendar year
	// MaxTimesPerYear is how many times an employee may receive this aid
	// in one year.
	MaxTimesPerYear int `json:"max_times_per_year"`
	// RequiredDocuments are the document kinds a case must carry, such as
	// "diagnosis" or "admission_letter".
	RequiredDocuments []string      `json:"required_documents"`
	BudgetLine        string        `json:"budget_line"`
	Beneficiaries     []Beneficiary `json:"beneficiaries"`
	// Version is set by Publish (1) and Revise (n+1); the value a caller
	// passes in is ignored.
	Version int `json:"version"`
}

// Validate checks every rule of a definition except its Version: code 2..32
// of [A-Z0-9-]; name 1..100 characters after trimming; a known category; a
// non-nil owner unit; a valid amount rule; an annual cap above 0 (it may be
// below the rule's ceiling); 1..52 times per year; 0..20 distinct document
// kinds of [a-z0-9_]; a budget line of 1..64 of [a-z0-9_.-]; at least one
// beneficiary, all known and distinct. The first broken rule is returned as
// a *fault.ValidationError.
func (d Definition) Validate() error {
	_, err := d.normalise()
	return err
}

// normalise validates d and returns it with the name trimmed and nil lists
// made empty, the form events store.
func (d Definition) normalise() (Definition, error) {
	if err := checkCode(d.Code); err != nil {
		return d, err
	}
	d.Name = strings.TrimSpace(d.Name)
	if n := utf8.RuneCountInString(d.Name); !utf8.ValidString(d.Name) || n == 0 || n > MaxNameRunes ||
		strings.ContainsFunc(d.Name, unicode.IsControl) {
		return d, invalid("name", "must be 1 to %d printable characters", MaxNameRunes)
	}
	if !d.Category.Valid() {
		return d, invalid("category", "must be %s, %s or %s", CategoryHardship, CategoryMedical, CategoryEducation)
	}
	if d.OwnerUnitID == uuid.Nil {
		return d, invalid("owner_unit_id", "is required")
	}
	if err := d.AmountRule.Validate(); err != nil {
		return d, err
	}
	d.AmountRule.tiers = slices.Clone(d.AmountRule.tiers)
	if d.AnnualCapFen <= 0 {
		return d, invalid("annual_cap_fen", "must be above 0")
	}
	if d.MaxTimesPerYear < 1 || d.MaxTimesPerYear > MaxTimesPerYear {
		return d, invalid("max_times_per_year", "must be 1 to %d", MaxTimesPerYear)
	}
	if len(d.RequiredDocuments) > MaxDocuments {
		return d, invalid("required_documents", "must hold at most %d kinds", MaxDocuments)
	}
	for i, k := range d.RequiredDocuments {
		field := fmt.Sprintf("required_documents[%d]", i)
		if !charsIn(k, 1, MaxDocumentKindLen, "abcdefghijklmnopqrstuvwxyz0123456789_") {
			return d, invalid(field, "must be 1 to %d of a-z, 0-9 and _", MaxDocumentKindLen)
		}
		if slices.Contains(d.RequiredDocuments[:i], k) {
			return d, invalid(field, "repeats %q", k)
		}
	}
	d.RequiredDocuments = append([]string{}, d.RequiredDocuments...)
	if !charsIn(d.BudgetLine, 1, MaxBudgetLineLen, "abcdefghijklmnopqrstuvwxyz0123456789_.-") {
		return d, invalid("budget_line", "must be 1 to %d of a-z, 0-9, _, . and -", MaxBudgetLineLen)
	}
	if len(d.Beneficiaries) == 0 {
		return d, invalid("beneficiaries", "must name at least one relation")
	}
	for i, b := range d.Beneficiaries {
		field := fmt.Sprintf("beneficiaries[%d]", i)
		if !b.Valid() {
			return d, invalid(field, "must be self, spouse, child or parent")
		}
		if slices.Contains(d.Beneficiaries[:i], b) {
			return d, invalid(field, "repeats %q", b)
		}
	}
	d.Beneficiaries = slices.Clone(d.Beneficiaries)
	return d, nil
}

// clone returns d with its own copies of every list.
func (d Definition) clone() Definition {
	d.AmountRule.tiers = slices.Clone(d.AmountRule.tiers)
	d.RequiredDocuments = slices.Clone(d.RequiredDocuments)
	d.Beneficiaries = slices.Clone(d.Beneficiaries)
	return d
}

// checkCode: MinCodeLen..MaxCodeLen of [A-Z0-9-].
func checkCode(code string) error {
	if !charsIn(code, MinCodeLen, MaxCodeLen, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") {
		return invalid("code", "must be %d to %d of A-Z, 0-9 and -", MinCodeLen, MaxCodeLen)
	}
	return nil
}

// charsIn reports whether s is minLen..maxLen bytes, each one of allowed.
func charsIn(s string, minLen, maxLen int, allowed string) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(allowed, s[i]) < 0 {
			return false
		}
	}
	return true
}

// cleanReason trims a free-text reason and checks it is 1..MaxReasonRunes
// characters; line breaks and tabs are allowed, other control characters
// are not.
func cleanReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || n == 0 || n > MaxReasonRunes ||
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return "", invalid("reason", "must be 1 to %d printable characters", MaxReasonRunes)
	}
	return s, nil
}
