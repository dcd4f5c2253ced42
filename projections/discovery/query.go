package discovery

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// List returns a page of the items f selects, in the order they were
// found, and the cursor of the next page (0 after the last).
func List(ctx context.Context, db *sqldb.DB, f query.DiscoveryFilter) ([]query.DiscoveryRow, int64, error) {
	l := readmodel.NewList("seq", f.After)
	if f.Within != nil {
		if len(f.Within) == 0 {
			return []query.DiscoveryRow{}, 0, nil
		}
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Under != uuid.Nil {
		l.InSubtrees("unit_id", []uuid.UUID{f.Under})
	}
	l.Equal("status", f.Status)
	l.EqualID("employee_id", f.EmployeeID)
	l.EqualID("item_id", f.ItemID)
	return readmodel.Fetch(ctx, db, l, `item_id, employee_id, unit_id, standard_code, year, reason, rule_code,
		rule_version, status, found_at, case_id, case_opened_at, case_paid_at, followed_by, followed_at, seq`,
		"rm_discovery", "seq", f.Size(), scan, func(r query.DiscoveryRow) int64 { return r.Seq })
}

func scan(row readmodel.Scanner) (query.DiscoveryRow, error) {
	var it query.DiscoveryRow
	var item, employee, unit, found, caseID string
	if err := row.Scan(&item, &employee, &unit, &it.StandardCode, &it.Year, &it.Reason, &it.RuleCode, &it.RuleVersion,
		&it.Status, &found, &caseID, &it.CaseOpenedAt, &it.CasePaidAt, &it.FollowedBy, &it.FollowedAt, &it.Seq); err != nil {
		return it, err
	}
	var err error
	if it.FoundAt, err = time.Parse(time.RFC3339, found); err != nil {
		return it, err
	}
	ids := map[*uuid.UUID]string{&it.ItemID: item, &it.EmployeeID: employee, &it.UnitID: unit}
	if caseID != "" {
		ids[&it.CaseID] = caseID
	}
	return it, readmodel.ParseIDs(ids)
}
