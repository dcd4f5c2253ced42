package httpapi

import (
	"net/http"
	"time"
)

// inboxItem is a step waiting for the caller's decision.
type inboxItem struct {
	CaseID       string `json:"case_id"`
	Step         string `json:"step"`
	UnitID       string `json:"unit_id"`
	EmployeeID   string `json:"employee_id"`
	StandardCode string `json:"standard_code"`
	AmountFen    int64  `json:"amount_fen"`
	WaitingSince string `json:"waiting_since"`
}

// inbox: GET /v1/inbox?cursor&limit, the steps waiting for the caller's
// decision now, oldest turn first, from the inbox read model. Every
// signed-in account may ask; each sees only its own (the bootstrap
// administrator holds no steps).
func (a *api) inbox(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	page := q.page()
	if q.err != nil {
		return q.err
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	items, next, err := a.deps.Query.Inbox(r.Context(), callerOf(r).actor, page)
	if err != nil {
		return err
	}
	out := make([]inboxItem, len(items))
	for i, it := range items {
		out[i] = inboxItem{CaseID: it.CaseID.String(), Step: it.Step, UnitID: it.UnitID.String(),
			EmployeeID: it.EmployeeID.String(), StandardCode: it.StandardCode, AmountFen: it.AmountFen,
			WaitingSince: it.WaitingSince.UTC().Format(time.RFC3339)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "next_cursor": nextCursor(next)})
	return nil
}
