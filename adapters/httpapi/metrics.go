package httpapi

import (
	"net/http"
	"time"
)

// observe counts an answered request in the service's metrics. Labels
// stay bounded whatever clients send: route is a pattern of the route
// table or "unmatched", method one of HTTP's or "other".
func (a *api) observe(method, pattern string, status int, took time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	if !knownMethod(method) {
		method = "other"
	}
	a.deps.Metrics.Request(method, pattern, status, took)
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}
