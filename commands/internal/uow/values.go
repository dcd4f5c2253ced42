package uow

import (
	"fmt"

	"aidtrail/domain/catalogue"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// FamilyMember is a family member as the command takes and the query
// returns it, in plaintext.
type FamilyMember struct {
	Relation  org.Relation
	Name      string
	BirthDate string // YYYY-MM-DD
}

// CheckCategory refuses a category of aid the catalogue does not have:
// flows and standards exist for its categories only.
func CheckCategory(category string) error {
	if !catalogue.Category(category).Valid() {
		return &fault.ValidationError{Field: "category", Reason: fmt.Sprintf("must be %s, %s or %s",
			catalogue.CategoryHardship, catalogue.CategoryMedical, catalogue.CategoryEducation)}
	}
	return nil
}
