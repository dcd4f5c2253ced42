// Package visit holds condolence visits (慰问, F15): union staff visit
// employees on an occasion — a festival, an illness, a bereavement — and
// hand over cash and goods, charged to a budget. A visit is registered
// once, after the day; what was recorded is never changed, only corrected
// by a later event that says why.
//
// Visit is event-sourced like every aggregate of the domain: state is
// unexported; behaviour methods check the rules and record past-tense
// events, which one apply function turns into state, both when deciding
// and when replaying the stream (Load). A visit serves one command: load
// it, call its methods, append Changes() at the expected version
// Version(), discard it. It is not safe for concurrent use.
//
// The money is the budget's to hold: the visit says what it cost
// (TotalFen), and the command charges that, or a correction's difference,
// to the visit's budget in the same transaction.
//
// A visit holds no personal data: employees and visitors are named by
// their ids, and goods' descriptions say what was given, not about whom.
//
// The package imports only the standard library, uuid and domain's own
// packages.
package visit

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Stream names the stream of visit id: "visit-<uuid>". Stored names are
// chosen once; never change this.
func Stream(id uuid.UUID) string { return "visit-" + id.String() }

// ParseStream returns the visit whose stream is stream, or an error.
func ParseStream(stream string) (uuid.UUID, error) { return event.StreamID(stream, "visit-") }

// Visit is one condolence visit. Create one with Register, rebuild one
// with Load; the zero value is not usable.
type Visit struct {
	id uuid.UUID
	s  state
	agg.Root
}

type state struct {
	unit    uuid.UUID
	budget  uuid.UUID
	details Details
	total   int64
}

// Register records visit.registered: a new visit id at unit, charged to
// budgetID, as d describes. now is when it is registered: a visit cannot
// be dated after today (Asia/Shanghai). Errors are *fault.ValidationError
// (see Details.Check).
func Register(id, unit, budgetID uuid.UUID, d Details, now time.Time) (*Visit, error) {
	switch {
	case id == uuid.Nil:
		return nil, invalid("id", "is required")
	case unit == uuid.Nil:
		return nil, invalid("unit_id", "is required")
	case budgetID == uuid.Nil:
		return nil, invalid("budget_id", "is required")
	}
	d, err := d.clean(now)
	if err != nil {
		return nil, err
	}
	v := &Visit{id: id, Root: agg.OpenedBy(TypeRegistered)}
	err = agg.Record(&v.Root, v.apply, TypeRegistered, Registered{VisitID: id, UnitID: unit, BudgetID: budgetID,
		Details: d, TotalFen: d.TotalFen()})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// ID returns the visit's id.
func (v *Visit) ID() uuid.UUID { return v.id }

// Stream returns Stream(v.ID()).
func (v *Visit) Stream() string { return Stream(v.id) }

// UnitID returns the unit that made the visit.
func (v *Visit) UnitID() uuid.UUID { return v.s.unit }

// BudgetID returns the budget the visit is charged to.
func (v *Visit) BudgetID() uuid.UUID { return v.s.budget }

// Details returns what the visit records now, corrections applied.
func (v *Visit) Details() Details { return v.s.details.clone() }

// TotalFen returns what the visit cost: cash for every employee and the
// value of the goods.
func (v *Visit) TotalFen() int64 { return v.s.total }

// Correct records visit.corrected: the fields c sets replace the visit's,
// for reason (1..500 characters). It returns the change of the visit's
// total, which the command charges (above zero) or refunds (below) on the
// visit's budget. A correction that changes nothing is a
// *fault.ValidationError, as is any field the visit's rules refuse.
func (v *Visit) Correct(c Correction, reason string, now time.Time) (deltaFen int64, err error) {
	reason, err = cleanReason(reason)
	if err != nil {
		return 0, err
	}
	after, changed := c.apply(v.s.details)
	if after, err = after.clean(now); err != nil {
		return 0, err
	}
	changed = slices.DeleteFunc(changed, func(field string) bool { return sameField(field, v.s.details, after) })
	if len(changed) == 0 {
		return 0, invalid("correction", "changes nothing")
	}
	before := v.s.total
	err = agg.Record(&v.Root, v.apply, TypeCorrected, Corrected{VisitID: v.id, Changed: changed,
		Before: v.s.details.clone(), Details: after, TotalFen: after.TotalFen(), Reason: reason})
	if err != nil {
		return 0, err
	}
	return v.s.total - before, nil
}
