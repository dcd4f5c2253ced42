package projections

import (
	"aidtrail/projections/budgets"
	"aidtrail/projections/cases"
	"aidtrail/projections/discovery"
	"aidtrail/projections/inbox"
	"aidtrail/projections/payments"
	"aidtrail/projections/register"
	"aidtrail/projections/stats"
	"aidtrail/projections/trails"
	"aidtrail/projections/units"
	"aidtrail/projections/visits"
)

// All returns every projection the service runs, in a fixed order. Their
// names are stable (see Projection).
func All() []Projection {
	return []Projection{
		units.New(),
		cases.New(),
		inbox.New(), budgets.New(),
		stats.New(),
		payments.New(),
		trails.New(),
		register.New(), discovery.New(),
		visits.New(),
	}
}
