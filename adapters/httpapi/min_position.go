package httpapi

import "aidtrail/commands/query"

// readModelsOf names, by route pattern, the read models a read with
// ?min_position waits for: those its answer comes from, so that one read
// model behind does not hold up the reads of the others. An empty list:
// the route reads the event store alone, where every position a command
// answered with is visible already. A route not listed waits for every
// read model.
var readModelsOf = map[string][]string{
	"GET /v1/standards":                   {},
	"GET /v1/standards/{code}":            {},
	"GET /v1/units/{id}/flows/{category}": {},
	"GET /v1/budgets":                     {query.ReadModelBudgets},
	"GET /v1/cases":                       {query.ReadModelCases},
	"GET /v1/inbox":                       {query.ReadModelInbox},
	"GET /v1/payments/export":             {query.ReadModelPayments},
	"GET /v1/stats":                       {query.ReadModelStats, query.ReadModelVisits}, // visits count in the figures
	"GET /v1/cases/{id}/trail":            {query.ReadModelTrails},
	"GET /v1/payments/{id}/trail":         {query.ReadModelTrails},
	"GET /v1/budgets/{id}/trail":          {query.ReadModelTrails},
	"GET /v1/employees/{id}/trail":        {query.ReadModelTrails},
	"GET /v1/visits/{id}/trail":           {query.ReadModelTrails},
	"GET /v1/hardship-register":           {query.ReadModelRegister},
	"GET /v1/profile":                     {query.ReadModelRegister},
	"GET /v1/discovery":                   {query.ReadModelDiscovery},
	"GET /v1/discovery/summary":           {query.ReadModelDiscovery},
	"POST /v1/discovery/{id}/follow-up":   {query.ReadModelDiscovery},
	"GET /v1/visits":                      {query.ReadModelVisits},
}
