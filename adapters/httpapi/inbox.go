package httpapi

import "net/http"

// inboxItem is a step waiting for the caller's decision.
type inboxItem struct {
	CaseID string `json:"case_id"`
	Step   string `json:"step"`
	UnitID string `json:"unit_id"`
}

// inbox: GET /v1/inbox, the steps waiting for the caller's decision now.
// Every signed-in account may ask; each sees only its own.
func (a *api) inbox(w http.ResponseWriter, r *http.Request) error {
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	items, err := a.deps.App.Inbox(r.Context(), callerOf(r).actor)
	if err != nil {
		return err
	}
	out := make([]inboxItem, 0, len(items))
	for _, it := range items {
		out = append(out, inboxItem{CaseID: it.CaseID.String(), Step: it.Step, UnitID: it.UnitID.String()})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"items": out, "next_cursor": nil})
	return nil
}
