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

// readyz answers 200 when the event store answers within ReadyTimeout and
// every projection runs within MaxLag of the store, so a load balancer
// sends traffic only to replicas that can work. A stopped projection (a
// poison event), one whose self-check found its applied events disagree
// with the log, or one far behind makes it 503, naming the projection.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), a.deps.ReadyTimeout)
	defer cancel()
	if _, err := a.deps.Store.Head(ctx); err != nil {
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	statuses, err := a.deps.ReadModels.Status(ctx)
	if err != nil {
		return fmt.Errorf("%w: %w", errNotReady, err)
	}
	ready := true
	out := make([]projectionHealth, 0, len(statuses))
	for _, s := range statuses {
		h := projectionHealth{Name: s.Name, Checkpoint: s.Checkpoint, LagPositions: s.LagPositions, LagSeconds: s.LagSeconds}
		switch {
		case s.Stopped != nil:
			h.Problem = "stopped: " + s.Stopped.Error()
		case len(s.Counts.Mismatches) > 0:
			h.Problem = fmt.Sprintf("events applied disagree with the log up to position %d: %v", s.Counts.At, s.Counts.Mismatches)
		case s.LagSeconds > a.deps.MaxLag.Seconds():
			h.Problem = fmt.Sprintf("more than %s behind", a.deps.MaxLag)
		}
		if h.Problem != "" {
			ready = false
			a.log.Warn("projection not ready", "projection", s.Name, "problem", h.Problem)
		}
		out = append(out, h)
	}
	status, code := "ok", http.StatusOK
	if !ready {
		status, code = "not ready", http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"status": status, "projections": out})
	return nil
}

// projectionHealth is one projection in /readyz.
type projectionHealth struct {
	Name         string  `json:"name"`
	Checkpoint   int64   `json:"checkpoint"`
	LagPositions int64   `json:"lag_positions"`
	LagSeconds   float64 `json:"lag_seconds"`
	Problem      string  `json:"problem,omitempty"`
}

func (a *api) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
	return nil
}
