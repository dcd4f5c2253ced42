package discovery

import (
	"time"

	"aidtrail/domain/calendar"
	"aidtrail/domain/care"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/projections/readmodel"
)

// caseEvent follows the cases that serve a standard: opened, rejected or
// withdrawn (no longer live), paid.
func (a *applier) caseEvent() error {
	id, err := readmodel.CaseID(a.e.Stream)
	if err != nil {
		return err
	}
	at := a.at().UTC().Format(time.RFC3339)
	switch a.e.Type {
	case casework.TypeCaseOpened:
		var p casework.CaseOpened
		if err := event.Decode(a.e, &p); err != nil {
			return err
		}
		year := calendar.Year(a.at())
		if err := a.exec(`INSERT INTO {rm_discovery_cases} (case_id, employee_id, standard_code, year, live)
			VALUES ($1, $2, $3, $4, 1)`, id.String(), p.EmployeeID.String(), p.StandardCode, year); err != nil {
			return err
		}
		// The item the case names, if it is this employee's, and every
		// item of the year still waiting for the same standard.
		linked := ""
		if p.DiscoveryID != nil {
			linked = p.DiscoveryID.String()
		}
		return a.exec(`UPDATE {rm_discovery} SET status = $1, case_id = $2, case_opened_at = $3
			WHERE employee_id = $4 AND case_id = '' AND (item_id = $5
				OR standard_code = $6 AND year = $7 AND status IN ('open', 'visited'))`,
			care.OutcomeApplied, id.String(), at, p.EmployeeID.String(), linked, p.StandardCode, year)
	case casework.TypeCaseRejected, casework.TypeCaseWithdrawn:
		return a.exec(`UPDATE {rm_discovery_cases} SET live = 0 WHERE case_id = $1`, id.String())
	default: // casework.TypeCasePaid
		return a.exec(`UPDATE {rm_discovery} SET case_paid_at = $1 WHERE case_id = $2`, at, id.String())
	}
}
