package org

import (
	"fmt"
	"time"

	"aidtrail/domain/internal/text"
)

// Sealed is a personal field (a name, an ID number, a phone, a bank account)
// as ciphertext. The domain never sees plaintext of personal data: the
// command layer validates the plaintext's format, then seals it under the
// person's own key before it reaches the domain, and erasing a person
// deletes that key, which leaves every Sealed value of theirs unreadable in
// the immutable log. The domain only checks that a value is present and
// small; it never compares or opens one.
type Sealed string

func (s Sealed) check(field string, required bool) error {
	return text.CheckSealed(field, string(s), MaxSealedLen, required)
}

// Relation is a family member's relation to the employee. Stored; never
// change the values.
type Relation string

// The relations.
const (
	RelationSpouse Relation = "spouse"
	RelationChild  Relation = "child"
	RelationParent Relation = "parent"
	RelationOther  Relation = "other"
)

// Valid reports whether r is one of the four relations.
func (r Relation) Valid() bool {
	switch r {
	case RelationSpouse, RelationChild, RelationParent, RelationOther:
		return true
	}
	return false
}

// DateLayout is the layout of dates in events and the API: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// FamilyMember is one member of an employee's family. The relation and the
// birth date stay plain: finding employees who may qualify for aid (a child
// of university age) needs them, and neither identifies anyone.
type FamilyMember struct {
	Relation  Relation `json:"relation"`
	Name      Sealed   `json:"name"`
	BirthDate string   `json:"birth_date"` // YYYY-MM-DD
}

// checkFamily validates every member: a known relation, a sealed name, and
// a real calendar date not after now's date in now's location.
func checkFamily(family []FamilyMember, now time.Time) error {
	if len(family) > MaxFamily {
		return invalid("family", "at most %d members", MaxFamily)
	}
	today := now.Format(DateLayout)
	for i, m := range family {
		field := func(name string) string { return fmt.Sprintf("family[%d].%s", i, name) }
		if !m.Relation.Valid() {
			return invalid(field("relation"), "must be one of spouse, child, parent, other")
		}
		if err := m.Name.check(field("name"), true); err != nil {
			return err
		}
		d, err := time.Parse(DateLayout, m.BirthDate)
		if err != nil || d.Format(DateLayout) != m.BirthDate {
			return invalid(field("birth_date"), "must be a date YYYY-MM-DD")
		}
		if m.BirthDate > today {
			return invalid(field("birth_date"), "must not be in the future")
		}
	}
	return nil
}
