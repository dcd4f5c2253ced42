package care

import (
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
)

// TypeLifeEventRecorded is the one event type of a life-events stream.
// Stored; never rename it.
const TypeLifeEventRecorded = "life_event.recorded"

// LifeEventsStream names employee's life events: "life-events-<uuid>".
func LifeEventsStream(employee uuid.UUID) string { return "life-events-" + employee.String() }

// ParseLifeEventsStream returns the employee whose life-events stream is
// stream.
func ParseLifeEventsStream(stream string) (uuid.UUID, error) {
	return event.StreamID(stream, "life-events-")
}

// The kinds of life event. Stored; never change the values.
const (
	KindUniversityAdmission   = "university_admission"    // 被大学录取
	KindSeniorSchoolAdmission = "senior_school_admission" // 被高中录取
	KindSeriousIllness        = "serious_illness"         // 患重病
	KindHospitalisation       = "hospitalisation"         // 住院
	KindDeathInFamily         = "death_in_family"         // 去世
	KindDisability            = "disability"              // 致残
	KindNaturalDisaster       = "natural_disaster"        // 遭受自然灾害
	KindLowIncome             = "low_income"              // 家庭收入低于当地最低生活标准
)

// Kinds returns every kind of life event.
func Kinds() []string {
	return []string{KindUniversityAdmission, KindSeniorSchoolAdmission, KindSeriousIllness, KindHospitalisation,
		KindDeathInFamily, KindDisability, KindNaturalDisaster, KindLowIncome}
}

// Subjects: whom a life event concerns.
func Subjects() []string { return []string{"self", "spouse", "child", "parent"} }

// Sources of a life event.
const (
	SourceManual = "manual" // recorded by staff one by one
	SourceImport = "import" // from an HR system's export
)

// MaxLifeEventAge bounds how far back a life event may be recorded.
const MaxLifeEventAge = 10 * 366 * 24 * time.Hour

// LifeEventRecorded is the payload of life_event.recorded.
type LifeEventRecorded struct {
	LifeEventID uuid.UUID `json:"life_event_id"`
	EmployeeID  uuid.UUID `json:"employee_id"`
	Kind        string    `json:"kind"`
	Subject     string    `json:"subject"`
	OccurredOn  string    `json:"occurred_on"` // YYYY-MM-DD
	Details     string    `json:"details,omitempty"`
	Source      string    `json:"source"`
}

// ErrLifeEventRecorded: the same kind, subject and date is recorded for the
// employee already.
var ErrLifeEventRecorded = fault.Conflict("this life event is recorded already")

// LifeEvent is a life event to record: what the API and an import row give.
type LifeEvent struct {
	Kind       string
	Subject    string
	OccurredOn string
	Details    string // sealed with the employee's key, or ""
}

// Check validates l as recorded on the date of now: a known kind and
// subject, a date neither in the future nor more than MaxLifeEventAge ago.
func (l LifeEvent) Check(now time.Time) error {
	if !slices.Contains(Kinds(), l.Kind) {
		return fault.Invalid("kind", "must be one of %v", Kinds())
	}
	if !slices.Contains(Subjects(), l.Subject) {
		return fault.Invalid("subject", "must be one of %v", Subjects())
	}
	d, err := parseDate("occurred_on", l.OccurredOn)
	if err != nil {
		return err
	}
	if l.OccurredOn > Today(now) {
		return fault.Invalid("occurred_on", "is in the future")
	}
	if now.Sub(d) > MaxLifeEventAge {
		return fault.Invalid("occurred_on", "is more than ten years ago")
	}
	return checkSealed("details", l.Details)
}

// key identifies a life event within an employee's stream.
func (l LifeEvent) key() string { return l.Kind + "|" + l.Subject + "|" + l.OccurredOn }

// LifeEvents is one employee's recorded life events. Start with
// NewLifeEvents or rebuild with LoadLifeEvents.
type LifeEvents struct {
	employee uuid.UUID
	seen     map[string]bool
	agg.Root
}

// NewLifeEvents returns the life events of an employee with none recorded.
func NewLifeEvents(employee uuid.UUID) *LifeEvents {
	return &LifeEvents{employee: employee, seen: map[string]bool{}}
}

// LoadLifeEvents rebuilds employee's life events from the whole stream.
func LoadLifeEvents(employee uuid.UUID, history []event.Recorded) (*LifeEvents, error) {
	l := NewLifeEvents(employee)
	return agg.Load(l, LifeEventsStream(employee), history, l.apply)
}

// Stream returns the stream of these life events.
func (l *LifeEvents) Stream() string { return LifeEventsStream(l.employee) }

// Has reports whether the same kind, subject and date is recorded.
func (l *LifeEvents) Has(e LifeEvent) bool { return l.seen[e.key()] }

// Record records life_event.recorded with id, from source, checked as of
// now. Errors: *fault.ValidationError, ErrLifeEventRecorded for a repeat.
func (l *LifeEvents) Record(id uuid.UUID, e LifeEvent, source string, now time.Time) error {
	if id == uuid.Nil {
		return fault.Invalid("id", "is required")
	}
	if err := e.Check(now); err != nil {
		return err
	}
	if source != SourceManual && source != SourceImport {
		return fault.Invalid("source", "must be manual or import")
	}
	if l.Has(e) {
		return ErrLifeEventRecorded
	}
	return agg.Record(&l.Root, l.apply, TypeLifeEventRecorded, LifeEventRecorded{
		LifeEventID: id, EmployeeID: l.employee, Kind: e.Kind, Subject: e.Subject, OccurredOn: e.OccurredOn,
		Details: e.Details, Source: source})
}

func (l *LifeEvents) apply(typ string, data json.RawMessage) error {
	if typ != TypeLifeEventRecorded {
		return agg.Unknown(typ)
	}
	return agg.On(data, func(p LifeEventRecorded) error {
		if p.EmployeeID != l.employee || p.LifeEventID == uuid.Nil {
			return errors.New("employee_id is not the stream's, or life_event_id is nil")
		}
		k := LifeEvent{Kind: p.Kind, Subject: p.Subject, OccurredOn: p.OccurredOn}.key()
		if l.seen[k] {
			return errors.New("life event recorded twice")
		}
		l.seen[k] = true
		return nil
	})
}
