package discovery

import (
	"context"
	"fmt"
	"math"
	"slices"
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

// Summary counts the items f selects (its page ignored) by status, and how
// many of them led to a case and to a payment, with the median days from
// an item's finding to its case's opening and to its payment.
func Summary(ctx context.Context, db *sqldb.DB, f query.DiscoveryFilter) (query.DiscoverySummary, error) {
	out := query.DiscoverySummary{ByStatus: map[string]int{}}
	l := readmodel.NewList("seq", 0)
	if f.Within != nil {
		if len(f.Within) == 0 {
			return out, nil
		}
		l.InSubtrees("unit_id", f.Within)
	}
	if f.Under != uuid.Nil {
		l.InSubtrees("unit_id", []uuid.UUID{f.Under})
	}
	if f.Year != 0 {
		l.Where("year = " + l.Arg(f.Year))
	}
	rows, err := db.Query(ctx, `SELECT status, found_at, case_opened_at, case_paid_at FROM rm_discovery WHERE `+l.Conditions(), l.Args()...)
	if err != nil {
		return out, fmt.Errorf("discovery: summary: %w", err)
	}
	defer rows.Close()
	var toCase, toPayment []float64
	for rows.Next() {
		var status, found, opened, paid string
		if err := rows.Scan(&status, &found, &opened, &paid); err != nil {
			return out, fmt.Errorf("discovery: summary: %w", err)
		}
		out.Found++
		out.ByStatus[status]++
		if opened != "" {
			out.CasesOpened++
			toCase = append(toCase, daysFrom(found, opened))
		}
		if paid != "" {
			out.CasesPaid++
			toPayment = append(toPayment, daysFrom(found, paid))
		}
	}
	out.MedianDaysToCase, out.MedianDaysToPayment = median(toCase), median(toPayment)
	return out, rows.Err()
}

// daysFrom is the days between two RFC 3339 times; 0 when either does not
// parse.
func daysFrom(from, to string) float64 {
	f, err1 := time.Parse(time.RFC3339, from)
	t, err2 := time.Parse(time.RFC3339, to)
	if err1 != nil || err2 != nil {
		return 0
	}
	return t.Sub(f).Hours() / 24
}

// median of xs, nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	m = math.Round(m*10) / 10
	return &m
}
