package httpapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
)

//go:embed openapi.json
var openAPIDocument []byte

// healthz answers while the process can serve HTTP at all; it does not look
// at the store, so an orchestrator does not restart a healthy process while
// the database is away.
func (a *api) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 when the event store answers within ReadyTimeout, so a
// load balancer sends traffic only to replicas that can work.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), a.deps.ReadyTimeout)
	defer cancel()
	if _, err := a.deps.Store.Head(ctx); err != nil {
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (a *api) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPIDocument)
	return nil
}
