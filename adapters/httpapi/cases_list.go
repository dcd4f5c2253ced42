package httpapi

import (
	"net/http"
	"slices"
	"time"

	"aidtrail/commands/query"
	"aidtrail/domain/casework"
)

// caseListItem is one case of GET /v1/cases.
type caseListItem struct {
	ID           string          `json:"id"`
	Status       casework.Status `json:"status"`
	EmployeeID   string          `json:"employee_id"`
	UnitID       string          `json:"unit_id"`
	StandardCode string          `json:"standard_code"`
	Category     string          `json:"category"`
	RequestedFen int64           `json:"requested_fen"`
	ApprovedFen  int64           `json:"approved_fen"`
	PaidFen      int64           `json:"paid_fen"`
	OpenedAt     string          `json:"opened_at"`
}

var caseStatuses = []casework.Status{casework.StatusDraft, casework.StatusInReview, casework.StatusReturned,
	casework.StatusApproved, casework.StatusRejected, casework.StatusWithdrawn, casework.StatusPaid, casework.StatusClosed}

// listCases: GET /v1/cases?unit_id&status&employee_id&standard_code&from&to&cursor&limit,
// the cases in the caller's subtrees (or the caller's own, for an
// employee), in the order they were opened, from the case list read model.
func (a *api) listCases(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.CaseFilter{
		Status: casework.Status(q.str("status")), EmployeeID: q.id("employee_id"), StandardCode: q.str("standard_code"),
		OpenedFrom: q.date("from"), Under: q.id("unit_id"), Page: q.page(),
	}
	if to := q.date("to"); !to.IsZero() {
		f.OpenedTo = to.Add(24 * time.Hour) // to is inclusive
	}
	if f.Status != "" && !slices.Contains(caseStatuses, f.Status) {
		q.fail("status", "must be one of draft, in_review, returned, approved, rejected, withdrawn, paid, closed")
	}
	return listPage(a, w, r, q, f, a.deps.Query.Cases, func(c query.CaseRow) caseListItem {
		return caseListItem{ID: c.CaseID.String(), Status: c.Status, EmployeeID: c.EmployeeID.String(),
			UnitID: c.UnitID.String(), StandardCode: c.StandardCode, Category: c.Category, RequestedFen: c.RequestedFen,
			ApprovedFen: c.ApprovedFen, PaidFen: c.PaidFen, OpenedAt: c.OpenedAt.Format(time.RFC3339)}
	})
}
