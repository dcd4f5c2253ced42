package whatif

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	"aidtrail/domain/catalogue"
	"aidtrail/domain/fault"
)

// Draft is a proposed version of a standard: the rules it changes. A field
// left nil keeps the value of the version it is laid over (Over). Its JSON
// form is that of the same fields of a standard in the API.
type Draft struct {
	AmountRule        *catalogue.AmountRule    `json:"amount_rule,omitempty"`
	AnnualCapFen      *int64                   `json:"annual_cap_fen,omitempty"`
	MaxTimesPerYear   *int                     `json:"max_times_per_year,omitempty"`
	RequiredDocuments *[]string                `json:"required_documents,omitempty"`
	BudgetLine        *string                  `json:"budget_line,omitempty"`
	Beneficiaries     *[]catalogue.Beneficiary `json:"beneficiaries,omitempty"`
}

// draftFields are the members a draft may carry.
var draftFields = []string{"amount_rule", "annual_cap_fen", "max_times_per_year", "required_documents", "budget_line", "beneficiaries"}

// DecodeDraft reads a draft's JSON object strictly: known members only,
// none null, whole numbers for money and counts, the amount rule as
// catalogue.AmountRule reads it. It checks shape, not rules (Over does).
// Failures are *fault.ValidationError on fields under "draft".
func DecodeDraft(data []byte) (Draft, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return Draft{}, fault.Invalid("draft", "must be a JSON object")
	}
	for name, raw := range members {
		if !slices.Contains(draftFields, name) {
			return Draft{}, fault.Invalid("draft."+name, "is not a field of a draft; it may set %v", draftFields)
		}
		if string(bytes.TrimSpace(raw)) == "null" {
			return Draft{}, fault.Invalid("draft."+name, "must not be null; leave it out to keep the standard's value")
		}
	}
	var d Draft
	for _, f := range []struct {
		name string
		into any
		want string
	}{
		{"amount_rule", &d.AmountRule, "an amount rule"},
		{"annual_cap_fen", &d.AnnualCapFen, "a whole number of fen"},
		{"max_times_per_year", &d.MaxTimesPerYear, "a whole number"},
		{"required_documents", &d.RequiredDocuments, "a list of document kinds"},
		{"budget_line", &d.BudgetLine, "a string"},
		{"beneficiaries", &d.Beneficiaries, "a list of relations"},
	} {
		raw, ok := members[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, f.into); err != nil {
			var ve *fault.ValidationError
			if errors.As(err, &ve) {
				return Draft{}, fault.Invalid("draft."+ve.Field, "%s", ve.Reason)
			}
			return Draft{}, fault.Invalid("draft."+f.name, "must be %s", f.want)
		}
	}
	return d, nil
}

// MarshalJSON writes the draft's members that are set.
func (d Draft) MarshalJSON() ([]byte, error) {
	type plain Draft // without this method
	return json.Marshal(plain(d))
}

// Over returns base with the draft's fields in place of its own, checked
// as a version of a standard must be (catalogue.Definition.Validate). The
// code, name, category, owner and version stay base's. A broken rule is a
// *fault.ValidationError on its field under "draft".
func (d Draft) Over(base catalogue.Definition) (catalogue.Definition, error) {
	def := base
	if d.AmountRule != nil {
		def.AmountRule = *d.AmountRule
	}
	if d.AnnualCapFen != nil {
		def.AnnualCapFen = *d.AnnualCapFen
	}
	if d.MaxTimesPerYear != nil {
		def.MaxTimesPerYear = *d.MaxTimesPerYear
	}
	if d.RequiredDocuments != nil {
		def.RequiredDocuments = slices.Clone(*d.RequiredDocuments)
	}
	if d.BudgetLine != nil {
		def.BudgetLine = *d.BudgetLine
	}
	if d.Beneficiaries != nil {
		def.Beneficiaries = slices.Clone(*d.Beneficiaries)
	}
	if err := def.Validate(); err != nil {
		var ve *fault.ValidationError
		if errors.As(err, &ve) {
			return base, fault.Invalid("draft."+ve.Field, "%s", ve.Reason)
		}
		return base, err
	}
	return def, nil
}
