package httpapi

import (
	"net/http"
	"time"

	"aidtrail/commands/query"
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
	return listPage(a, w, r, q, q.page(), a.deps.Query.Inbox, func(it query.InboxRow) inboxItem {
		return inboxItem{CaseID: it.CaseID.String(), Step: it.Step, UnitID: it.UnitID.String(),
			EmployeeID: it.EmployeeID.String(), StandardCode: it.StandardCode, AmountFen: it.AmountFen,
			WaitingSince: it.WaitingSince.UTC().Format(time.RFC3339)}
	})
}
