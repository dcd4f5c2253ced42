package care

import (
	"encoding/json"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// TypeFollowedUp is the event of a discovery item's stream. Stored; never
// rename it.
const TypeFollowedUp = "discovery.followed_up"

// FollowUpStream names the stream of discovery item id's follow-ups.
func FollowUpStream(item uuid.UUID) string { return "discovery-" + item.String() }

// Follow-up outcomes, which are also the item's status after them.
const (
	OutcomeVisited     = "visited"
	OutcomeApplied     = "applied"
	OutcomeDeclined    = "declined"
	OutcomeNotEligible = "not_eligible"
)

// FollowUpOutcomes returns every follow-up outcome.
func FollowUpOutcomes() []string {
	return []string{OutcomeVisited, OutcomeApplied, OutcomeDeclined, OutcomeNotEligible}
}

// FollowedUp is the payload of discovery.followed_up: what staff did
// about a discovery item; the actor is in the event's metadata.
type FollowedUp struct {
	ItemID     uuid.UUID `json:"item_id"`
	EmployeeID uuid.UUID `json:"employee_id"`
	Outcome    string    `json:"outcome"`
	Note       string    `json:"note,omitempty"` // sealed with the employee's key
}

// FollowUp returns the event recording a follow-up of item about
// employee. Errors: *fault.ValidationError.
func FollowUp(item, employee uuid.UUID, outcome, sealedNote string) (event.Event, error) {
	switch {
	case item == uuid.Nil:
		return event.Event{}, fault.Invalid("id", "is required")
	case employee == uuid.Nil:
		return event.Event{}, fault.Invalid("employee_id", "is required")
	case !slices.Contains(FollowUpOutcomes(), outcome):
		return event.Event{}, fault.Invalid("outcome", "must be one of %v", FollowUpOutcomes())
	}
	if err := checkSealed("note", sealedNote); err != nil {
		return event.Event{}, err
	}
	data, err := json.Marshal(FollowedUp{ItemID: item, EmployeeID: employee, Outcome: outcome, Note: sealedNote})
	if err != nil {
		return event.Event{}, err
	}
	return event.Event{ID: event.NewID(), Type: TypeFollowedUp, Data: data}, nil
}
