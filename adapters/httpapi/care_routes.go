package httpapi

import "net/http"

// careRoutes are the hardship register, life events, discovery and the
// profile.
func (a *api) careRoutes() []route {
	const get, post, put = http.MethodGet, http.MethodPost, http.MethodPut
	return []route{
		{post, "/v1/employees/{id}/hardship", authenticated, a.enterHardship},
		{post, "/v1/employees/{id}/hardship/review", authenticated, a.reviewHardship},
		{post, "/v1/employees/{id}/hardship/exit", authenticated, a.exitHardship},
		{get, "/v1/hardship-register", authenticated, a.listHardshipRegister},
		{post, "/v1/employees/{id}/life-events", authenticated, a.recordLifeEvent},
		{post, "/v1/life-events/import", authenticated, a.importLifeEvents},
		{put, "/v1/discovery/rules", authenticated, a.publishDiscoveryRules},
		{get, "/v1/discovery/rules", authenticated, a.getDiscoveryRules},
		{get, "/v1/discovery", authenticated, a.listDiscovery},
		{get, "/v1/discovery/summary", authenticated, a.discoverySummary},
		{post, "/v1/discovery/{id}/follow-up", authenticated, a.followUpDiscovery},
		{get, "/v1/profile", authenticated, a.getProfile},
	}
}
