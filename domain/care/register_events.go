package care

import (
	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// Event types of a register entry's stream. Stored; never rename them.
const (
	TypeHardshipEntered  = "hardship.entered"
	TypeHardshipReviewed = "hardship.reviewed"
	TypeHardshipExited   = "hardship.exited"
)

// RegisterEventTypes lists every event type of a register entry's stream.
func RegisterEventTypes() []string {
	return []string{TypeHardshipEntered, TypeHardshipReviewed, TypeHardshipExited}
}

// HardshipStream names employee's stream in the register: "hardship-<uuid>".
func HardshipStream(employee uuid.UUID) string { return "hardship-" + employee.String() }

// ParseHardshipStream returns the employee whose register stream is stream.
func ParseHardshipStream(stream string) (uuid.UUID, error) {
	return event.StreamID(stream, "hardship-")
}

// HardshipEntered is the payload of hardship.entered: the employee joins
// the register on Since, to be reviewed by ReviewDue.
type HardshipEntered struct {
	EmployeeID uuid.UUID `json:"employee_id"`
	UnitID     uuid.UUID `json:"unit_id"`
	Level      Level     `json:"level"`
	Causes     []string  `json:"causes"`
	Household  Household `json:"household"`
	Since      string    `json:"since"`      // YYYY-MM-DD
	ReviewDue  string    `json:"review_due"` // YYYY-MM-DD, a year after Since
}

// Review outcomes.
const (
	OutcomeKeep        = "keep"         // the level stands
	OutcomeChangeLevel = "change_level" // the level changes to Level
)

// HardshipReviewed is the payload of hardship.reviewed: the yearly review
// on ReviewedOn kept the level or changed it to Level; the next review is
// due by ReviewDue.
type HardshipReviewed struct {
	Outcome    string `json:"outcome"`
	Level      Level  `json:"level"` // the level after the review
	Note       string `json:"note,omitempty"`
	ReviewedOn string `json:"reviewed_on"`
	ReviewDue  string `json:"review_due"`
}

// Exit reasons.
const (
	ExitRecovered   = "recovered"
	ExitRetired     = "retired"
	ExitTransferred = "transferred"
	ExitDied        = "died"
	ExitOther       = "other"
)

// ExitReasons returns every exit reason.
func ExitReasons() []string {
	return []string{ExitRecovered, ExitRetired, ExitTransferred, ExitDied, ExitOther}
}

// HardshipExited is the payload of hardship.exited: the employee left the
// register on ExitedOn for Reason.
type HardshipExited struct {
	Reason   string `json:"reason"`
	Note     string `json:"note,omitempty"`
	ExitedOn string `json:"exited_on"`
}
