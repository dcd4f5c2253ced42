package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/care"
)

// The hardship register (困难职工库): entry, yearly review, exit, and the
// list. Notes are personal and sealed under the employee's key.

type householdJSON struct {
	Size       int    `json:"size"`
	Dependants int    `json:"dependants"`
	IncomeBand string `json:"income_band"`
	AgeBand    string `json:"age_band"`
}

type enterHardshipRequest struct {
	Level     string        `json:"level"`
	Causes    []string      `json:"causes"`
	Household householdJSON `json:"household"`
}

// enterHardship: POST /v1/employees/{id}/hardship.
func (a *api) enterHardship(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[enterHardshipRequest]) (commands.Written, error) {
		h := c.Body.Household
		return a.deps.App.EnterHardship(ctx, actor, commands.EnterHardship{EmployeeID: c.ID, Level: care.Level(c.Body.Level),
			Causes: c.Body.Causes, Household: care.Household{Size: h.Size, Dependants: h.Dependants, IncomeBand: h.IncomeBand, AgeBand: h.AgeBand}})
	})
}

type reviewHardshipRequest struct {
	Outcome string `json:"outcome"`
	Level   string `json:"level"`
	Note    string `json:"note"`
}

// reviewHardship: POST /v1/employees/{id}/hardship/review.
func (a *api) reviewHardship(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[reviewHardshipRequest]) (commands.Written, error) {
		return a.deps.App.ReviewHardship(ctx, actor, commands.ReviewHardship{EmployeeID: c.ID, Outcome: c.Body.Outcome,
			Level: care.Level(c.Body.Level), Note: c.Body.Note})
	})
}

type exitHardshipRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// exitHardship: POST /v1/employees/{id}/hardship/exit.
func (a *api) exitHardship(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[exitHardshipRequest]) (commands.Written, error) {
		return a.deps.App.ExitHardship(ctx, actor, commands.ExitHardship{EmployeeID: c.ID, Reason: c.Body.Reason, Note: c.Body.Note})
	})
}

// registerItem is one row of GET /v1/hardship-register; employee_id is
// absent for those who read statistics only.
type registerItem struct {
	EmployeeID string        `json:"employee_id,omitempty"`
	UnitID     string        `json:"unit_id"`
	Level      string        `json:"level"`
	Causes     []string      `json:"causes"`
	Household  householdJSON `json:"household"`
	Since      string        `json:"since"`
	ReviewDue  string        `json:"review_due"`
	Status     string        `json:"status"`
	ExitReason string        `json:"exit_reason,omitempty"`
}

// listHardshipRegister: GET /v1/hardship-register?unit_id&level&status&
// review_overdue&cursor&limit, in order of entry, within the caller's
// subtrees.
func (a *api) listHardshipRegister(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.RegisterFilter{Under: q.id("unit_id"), Level: care.Level(q.str("level")), Status: q.str("status"), Page: q.page()}
	if f.Level != "" && !f.Level.Valid() {
		q.fail("level", "must be deep, relative or accident")
	}
	if f.Status != "" && f.Status != "active" && f.Status != "exited" {
		q.fail("status", "must be active or exited")
	}
	if s := q.str("review_overdue"); s != "" {
		overdue, err := strconv.ParseBool(s)
		if err != nil {
			q.fail("review_overdue", "must be true or false")
		}
		f.ReviewOverdue = overdue
	}
	return listPage(a, w, r, q, f, a.deps.Query.HardshipRegister, func(row query.RegisterRow) registerItem {
		h := row.Household
		return registerItem{EmployeeID: idOrEmpty(row.EmployeeID), UnitID: row.UnitID.String(), Level: string(row.Level),
			Causes: row.Causes, Household: householdJSON{Size: h.Size, Dependants: h.Dependants, IncomeBand: h.IncomeBand, AgeBand: h.AgeBand},
			Since: row.Since, ReviewDue: row.ReviewDue, Status: row.Status, ExitReason: row.ExitReason}
	})
}

// idOrEmpty is "" for uuid.Nil (a masked or absent id), else the id.
func idOrEmpty(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}
