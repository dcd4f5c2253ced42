package catalogue

import "slices"

// Category is one of the three kinds of aid (助困、助医、助学) that every
// standard belongs to. Stored; never rename the values.
type Category string

// The categories.
const (
	CategoryHardship  Category = "hardship"  // 助困: living hardship, disasters
	CategoryMedical   Category = "medical"   // 助医: illness and injury
	CategoryEducation Category = "education" // 助学: children's schooling, study
)

// Categories lists every category, in the order the bureau lists them.
func Categories() []Category {
	return []Category{CategoryHardship, CategoryMedical, CategoryEducation}
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories(), c) }

// Beneficiary is whom the aid is for, by relation to the employee who
// claims it. Stored; never rename the values.
type Beneficiary string

// The beneficiary relations.
const (
	BeneficiarySelf   Beneficiary = "self"
	BeneficiarySpouse Beneficiary = "spouse"
	BeneficiaryChild  Beneficiary = "child"
	BeneficiaryParent Beneficiary = "parent"
)

// Beneficiaries lists every beneficiary relation.
func Beneficiaries() []Beneficiary {
	return []Beneficiary{BeneficiarySelf, BeneficiarySpouse, BeneficiaryChild, BeneficiaryParent}
}

// Valid reports whether b is one of Beneficiaries.
func (b Beneficiary) Valid() bool { return slices.Contains(Beneficiaries(), b) }
