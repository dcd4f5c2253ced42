package discovery

import (
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	"aidtrail/domain/care"
	"aidtrail/domain/event"
)

// person reads what matching knows of employee; ok is false for one the
// projection has not seen registered.
func (a *applier) person(employee string) (unit string, p care.Person, ok bool, err error) {
	var in int
	err = a.tx.QueryRow(a.ctx, `SELECT unit_id, in_register, register_since FROM {rm_discovery_people} WHERE employee_id = $1`,
		employee).Scan(&unit, &in, &p.RegisterSince)
	if errors.Is(err, sql.ErrNoRows) {
		return "", care.Person{}, false, nil
	}
	p.InRegister = in == 1
	return unit, p, err == nil, err
}

// rules returns the rule set in force (version 0 when none is
// published), read once a batch.
func (a *applier) rules() (care.RulesPublished, error) {
	st := a.state()
	if st.rules != nil {
		return *st.rules, nil
	}
	var raw string
	err := a.tx.QueryRow(a.ctx, `SELECT rules FROM {rm_discovery_rules} WHERE one = 1`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		st.rules = &care.RulesPublished{}
		return *st.rules, nil
	}
	if err != nil {
		return care.RulesPublished{}, err
	}
	var set care.RulesPublished
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return care.RulesPublished{}, err
	}
	st.rules = &set
	return set, nil
}

func (a *applier) register() error {
	employee, err := care.ParseHardshipStream(a.e.Stream)
	if err != nil {
		return err
	}
	if a.e.Type == care.TypeHardshipExited {
		return a.exec(`UPDATE {rm_discovery_people} SET in_register = 0 WHERE employee_id = $1`, employee.String())
	}
	var p care.HardshipEntered
	if err := event.Decode(a.e, &p); err != nil {
		return err
	}
	if err := a.exec(`UPDATE {rm_discovery_people} SET in_register = 1, register_since = $1 WHERE employee_id = $2`,
		p.Since, employee.String()); err != nil {
		return err
	}
	// Entering the register is a trigger of its own, and the employee's
	// life events are tried again: a rule may ask for someone in the
	// register, which they were not when the event was recorded.
	triggers := []trigger{{id: a.e.ID, t: care.Trigger{RecordedOn: p.Since}}}
	if err := a.state().flushLife(a.ctx, a.tx); err != nil {
		return err
	}
	life, err := a.lifeEvents(employee.String(), p.Since)
	if err != nil {
		return err
	}
	triggers = append(triggers, life...)
	return a.find(employee.String(), triggers)
}

// trigger is a fact to try the rules on, with the id of the event it
// comes from. A retried trigger (a life event tried again on entering the
// register) is tried only by the rules that ask for someone in the
// register: for the others nothing has changed since it was first tried.
type trigger struct {
	id    uuid.UUID
	t     care.Trigger
	retry bool
}

// lifeEvents returns the employee's recorded life events as triggers
// recorded on the date on.
func (a *applier) lifeEvents(employee, on string) ([]trigger, error) {
	rows, err := a.tx.Query(a.ctx, `SELECT life_event_id, kind, subject, occurred_on FROM {rm_discovery_life}
		WHERE employee_id = $1 ORDER BY position`, employee)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []trigger
	for rows.Next() {
		var id string
		le := care.LifeEvent{}
		if err := rows.Scan(&id, &le.Kind, &le.Subject, &le.OccurredOn); err != nil {
			return nil, err
		}
		tid, err := uuid.Parse(id)
		if err != nil {
			return nil, err
		}
		out = append(out, trigger{id: tid, t: care.Trigger{LifeEvent: &le, RecordedOn: on}, retry: true})
	}
	return out, rows.Err()
}

func (a *applier) lifeEvent() error {
	var p care.LifeEventRecorded
	if err := event.Decode(a.e, &p); err != nil {
		return err
	}
	employee := p.EmployeeID.String()
	st := a.state()
	st.life = append(st.life, p.LifeEventID.String(), employee, p.Kind, p.Subject, p.OccurredOn, a.e.Position)
	set, err := a.rules()
	if err != nil {
		return err
	}
	le := care.LifeEvent{Kind: p.Kind, Subject: p.Subject, OccurredOn: p.OccurredOn}
	if !slices.ContainsFunc(set.Rules, func(r care.Rule) bool { return r.LooksFor(le) }) {
		return nil // most life events: no rule in force looks for them
	}
	return a.find(employee, []trigger{{id: p.LifeEventID, t: care.Trigger{LifeEvent: &le, RecordedOn: care.Today(a.at())}}})
}

// find tries the rules in force on each trigger of employee and lists
// what they find.
func (a *applier) find(employee string, triggers []trigger) error {
	set, err := a.rules()
	if err != nil || set.Version == 0 {
		return err
	}
	unit, person, ok, err := a.person(employee)
	if err != nil || !ok {
		return err
	}
	year := calendar.Year(a.at())
	k := 0
	for _, tr := range triggers {
		for _, rule := range set.Rules {
			k++
			if tr.retry && (rule.InRegister == nil || !*rule.InRegister) || !rule.Matches(tr.t, person) {
				continue
			}
			listed, err := a.listed(employee, rule.StandardCode, year)
			if err != nil {
				return err
			}
			if listed {
				continue
			}
			name, err := a.standardName(rule.StandardCode)
			if err != nil {
				return err
			}
			err = a.exec(`INSERT INTO {rm_discovery} (item_id, employee_id, unit_id, standard_code, year, reason,
				rule_code, rule_version, status, found_at, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
				ON CONFLICT (item_id) DO NOTHING`,
				care.ItemID(rule.Code, set.Version, tr.id).String(), employee, unit, rule.StandardCode, year,
				rule.Reason(tr.t, person, name), rule.Code, set.Version, StatusOpen,
				a.at().UTC().Format(time.RFC3339), a.e.Position*seqPerEvent+int64(k))
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// seqPerEvent spaces the items one event may find (rules × triggers).
const seqPerEvent = 1_000_000

// listed reports whether the employee was served for the standard in year
// (a live case) or has an item for it that is not closed.
func (a *applier) listed(employee, standard string, year int) (bool, error) {
	var n int
	err := a.tx.QueryRow(a.ctx, `SELECT
		(SELECT COUNT(*) FROM {rm_discovery_cases} WHERE employee_id = $1 AND standard_code = $2 AND year = $3 AND live = 1) +
		(SELECT COUNT(*) FROM {rm_discovery} WHERE employee_id = $1 AND standard_code = $2 AND year = $3
			AND status IN ('open', 'visited'))`, employee, standard, year).Scan(&n)
	return n > 0, err
}

func (a *applier) standardName(code string) (string, error) {
	var name string
	err := a.tx.QueryRow(a.ctx, `SELECT name FROM {rm_discovery_standards} WHERE code = $1`, code).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return code, nil
	}
	return name, err
}
