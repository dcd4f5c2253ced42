package query

// The read models, by the names of the projections that keep them: a read
// with ?min_position waits for those it reads (Progress.Wait).
const (
	ReadModelBudgets   = "budgets"
	ReadModelCases     = "cases"
	ReadModelDiscovery = "discovery"
	ReadModelInbox     = "inbox"
	ReadModelPayments  = "payments"
	ReadModelRegister  = "register"
	ReadModelStats     = "stats"
	ReadModelTrails    = "trails"
	ReadModelUnits     = "units"
	ReadModelVisits    = "visits"
)

// ReadModelNames lists every read model name above.
var ReadModelNames = []string{ReadModelBudgets, ReadModelCases, ReadModelDiscovery, ReadModelInbox,
	ReadModelPayments, ReadModelRegister, ReadModelStats, ReadModelTrails, ReadModelUnits, ReadModelVisits}
