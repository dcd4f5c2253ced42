// Package discovery keeps rm_discovery, the discovery list (政策找职工):
// employees who probably qualify for an aid standard they have not applied
// for, found by the bureau's discovery rules (package care) from life
// events, the hardship register and the case history, each with its reason
// in plain Chinese, the rule version that found it, and what staff did
// about it.
//
// Matching happens here, in global order, so the list built live equals
// its rebuild from position 0: a rule version matches the triggers that
// come after it, and an item keeps the version that found it. An item
// found from a trigger is listed once: not when the employee has a live
// case (opened, not rejected or withdrawn) of that standard in the
// trigger's year, nor when an open item for that standard and year exists.
// A case opened for the standard — from the item (discovery_id) or not —
// takes the year's open items of that employee and standard off the open
// list, linked to the case, and the case's payment marks them served.
package discovery

import (
	"context"
	"fmt"
	"time"

	"aidtrail/domain/care"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name.
const Name = "discovery"

// Item statuses besides the follow-up outcomes of package care.
const (
	StatusOpen = "open"
)

// Projection maintains rm_discovery and what matching needs to remember.
type Projection struct{}

// New returns the discovery projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection.
//
// rm_discovery has one row per item: seq orders the list (the position of
// the event that found it, times 1,000, plus the rule's index, so the items
// of one event keep their rules' order); status is open or the last
// follow-up's outcome, and applied once a case is opened for it; case_id,
// case_opened_at and case_paid_at follow that case. The other tables are
// what matching remembers: the rules in force, standards' names, each
// employee's unit and place in the register, life events (tried again when
// the employee enters the register), and cases per standard and year.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{
		{Name: "rm_discovery", Create: []string{
			`CREATE TABLE {rm_discovery} (
				item_id        TEXT    PRIMARY KEY,
				employee_id    TEXT    NOT NULL,
				unit_id        TEXT    NOT NULL,
				standard_code  TEXT    NOT NULL,
				year           INTEGER NOT NULL,
				reason         TEXT    NOT NULL,
				rule_code      TEXT    NOT NULL,
				rule_version   INTEGER NOT NULL,
				status         TEXT    NOT NULL,
				found_at       TEXT    NOT NULL,
				seq            BIGINT  NOT NULL UNIQUE,
				case_id        TEXT    NOT NULL DEFAULT '',
				case_opened_at TEXT    NOT NULL DEFAULT '',
				case_paid_at   TEXT    NOT NULL DEFAULT '',
				followed_by    TEXT    NOT NULL DEFAULT '',
				followed_at    TEXT    NOT NULL DEFAULT '')`,
			`CREATE INDEX {rm_discovery}_employee ON {rm_discovery} (employee_id, standard_code, year)`,
			`CREATE INDEX {rm_discovery}_case ON {rm_discovery} (case_id)`,
		}},
		{Name: "rm_discovery_rules", Create: []string{
			`CREATE TABLE {rm_discovery_rules} (
				one     INTEGER PRIMARY KEY,
				version INTEGER NOT NULL,
				rules   TEXT    NOT NULL)`,
		}},
		{Name: "rm_discovery_standards", Create: []string{
			`CREATE TABLE {rm_discovery_standards} (code TEXT PRIMARY KEY, name TEXT NOT NULL)`,
		}},
		{Name: "rm_discovery_people", Create: []string{
			`CREATE TABLE {rm_discovery_people} (
				employee_id    TEXT    PRIMARY KEY,
				unit_id        TEXT    NOT NULL,
				in_register    INTEGER NOT NULL DEFAULT 0,
				register_since TEXT    NOT NULL DEFAULT '')`,
		}},
		{Name: "rm_discovery_life", Create: []string{
			// Unique by construction (one row per life_event.recorded, its
			// id the event's); no key but the one lookup it serves, since
			// a bureau's life events are most of its history.
			`CREATE TABLE {rm_discovery_life} (
				life_event_id TEXT NOT NULL,
				employee_id   TEXT NOT NULL,
				kind          TEXT NOT NULL,
				subject       TEXT NOT NULL,
				occurred_on   TEXT NOT NULL,
				position      BIGINT NOT NULL)`,
			`CREATE INDEX {rm_discovery_life}_employee ON {rm_discovery_life} (employee_id)`,
		}},
		{Name: "rm_discovery_cases", Create: []string{
			`CREATE TABLE {rm_discovery_cases} (
				case_id       TEXT    PRIMARY KEY,
				employee_id   TEXT    NOT NULL,
				standard_code TEXT    NOT NULL,
				year          INTEGER NOT NULL,
				live          INTEGER NOT NULL)`,
			`CREATE INDEX {rm_discovery_cases}_served ON {rm_discovery_cases} (employee_id, standard_code, year)`,
		}},
	}
}

// Concerns implements readmodel.Selective.
func (Projection) Concerns(e event.Recorded) bool {
	switch e.Type {
	case care.TypeLifeEventRecorded, care.TypeRulesPublished, care.TypeFollowedUp,
		care.TypeHardshipEntered, care.TypeHardshipExited,
		catalogue.TypeStandardPublished, catalogue.TypeStandardRevised,
		org.TypeEmployeeRegistered, org.TypeEmployeeTransferred, org.TypeEmployeeErased,
		casework.TypeCaseOpened, casework.TypeCaseRejected, casework.TypeCaseWithdrawn, casework.TypeCasePaid:
		return true
	}
	return false
}

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	a := &applier{ctx: ctx, tx: tx, e: e}
	if err := a.apply(); err != nil {
		return fmt.Errorf("discovery: %s at %d: %w", e.Type, e.Position, err)
	}
	return nil
}

// applier applies one event.
type applier struct {
	ctx context.Context
	tx  *readmodel.Tx
	e   event.Recorded
}

// at is when the event happened, as its command saw the clock.
func (a *applier) at() time.Time {
	if t := a.e.Metadata.OccurredAt; !t.IsZero() {
		return t
	}
	return a.e.RecordedAt
}

func (a *applier) exec(query string, args ...any) error {
	_, err := a.tx.Exec(a.ctx, query, args...)
	return err
}

func (a *applier) apply() error {
	switch a.e.Type {
	case catalogue.TypeStandardPublished, catalogue.TypeStandardRevised:
		var d catalogue.Definition
		if err := event.Decode(a.e, &d); err != nil {
			return err
		}
		return a.exec(`INSERT INTO {rm_discovery_standards} (code, name) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name`, d.Code, d.Name)
	case org.TypeEmployeeRegistered:
		var p org.EmployeeRegistered
		if err := event.Decode(a.e, &p); err != nil {
			return err
		}
		return a.exec(`INSERT INTO {rm_discovery_people} (employee_id, unit_id) VALUES ($1, $2)`,
			p.EmployeeID.String(), p.UnitID.String())
	case org.TypeEmployeeTransferred:
		return a.transferred()
	case org.TypeEmployeeErased:
		// The reason tells of a person's life; once they are erased it
		// tells no one's.
		id, err := org.ParseEmployeeStream(a.e.Stream)
		if err != nil {
			return err
		}
		return a.exec(`UPDATE {rm_discovery} SET reason = $1 WHERE employee_id = $2`, ErasedReason, id.String())
	case care.TypeRulesPublished:
		var p care.RulesPublished
		if err := event.Decode(a.e, &p); err != nil {
			return err
		}
		a.state().rules = &p
		return a.exec(`INSERT INTO {rm_discovery_rules} (one, version, rules) VALUES (1, $1, $2)
			ON CONFLICT (one) DO UPDATE SET version = excluded.version, rules = excluded.rules`,
			p.Version, string(a.e.Data))
	case care.TypeHardshipEntered, care.TypeHardshipExited:
		return a.register()
	case care.TypeLifeEventRecorded:
		return a.lifeEvent()
	case care.TypeFollowedUp:
		return a.followedUp()
	default:
		return a.caseEvent()
	}
}

// ErasedReason replaces the reasons of an erased employee's items.
const ErasedReason = "（个人信息已删除）"

func (a *applier) transferred() error {
	id, err := org.ParseEmployeeStream(a.e.Stream)
	if err != nil {
		return err
	}
	var p org.EmployeeTransferred
	if err := event.Decode(a.e, &p); err != nil {
		return err
	}
	if err := a.exec(`UPDATE {rm_discovery_people} SET unit_id = $1 WHERE employee_id = $2`, p.UnitID.String(), id.String()); err != nil {
		return err
	}
	return a.exec(`UPDATE {rm_discovery} SET unit_id = $1 WHERE employee_id = $2`, p.UnitID.String(), id.String())
}

func (a *applier) followedUp() error {
	var p care.FollowedUp
	if err := event.Decode(a.e, &p); err != nil {
		return err
	}
	// The follow-up names an item the caller saw on the list; the list is
	// rebuilt in the same order, so the item is there. An item that a
	// case has claimed stays applied.
	return a.exec(`UPDATE {rm_discovery} SET status = CASE WHEN case_id = '' THEN $1 ELSE status END,
		followed_by = $2, followed_at = $3 WHERE item_id = $4 AND employee_id = $5`,
		p.Outcome, a.e.Metadata.ActorAccountID, a.at().UTC().Format(time.RFC3339), p.ItemID.String(), p.EmployeeID.String())
}
