package httpapi

import "net/http"

// visitRoutes are condolence visits.
func (a *api) visitRoutes() []route {
	const get, post = http.MethodGet, http.MethodPost
	return []route{
		{post, "/v1/visits", authenticated, a.registerVisit},
		{get, "/v1/visits", authenticated, a.listVisits},
		{get, "/v1/visits/{id}", authenticated, a.getVisit},
		{post, "/v1/visits/{id}/correct", authenticated, a.correctVisit},
		{get, "/v1/visits/{id}/trail", authenticated, a.trail("visit", a.deps.Query.VisitTrail)},
	}
}
