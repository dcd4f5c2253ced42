package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/care"
)

// Discovery (政策找职工): the bureau's rules, the list of employees who
// probably qualify, and what staff did about each.

type ruleJSON struct {
	Code         string          `json:"code"`
	StandardCode string          `json:"standard_code"`
	LifeEvent    *lifeEventMatch `json:"life_event"`
	WithinDays   int             `json:"within_days"`
	InRegister   *bool           `json:"in_register"`
	Explanation  string          `json:"explanation"`
}

type lifeEventMatch struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
}

type rulesRequest struct {
	Rules []ruleJSON `json:"rules"`
}

// publishDiscoveryRules: PUT /v1/discovery/rules → {"version","position"}.
func (a *api) publishDiscoveryRules(w http.ResponseWriter, r *http.Request) error {
	var req rulesRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	rules := make([]care.Rule, len(req.Rules))
	for i, rj := range req.Rules {
		rules[i] = care.Rule{Code: rj.Code, StandardCode: rj.StandardCode, WithinDays: rj.WithinDays,
			InRegister: rj.InRegister, Explanation: rj.Explanation}
		if rj.LifeEvent != nil {
			rules[i].LifeEvent = &care.LifeEventMatch{Kind: rj.LifeEvent.Kind, Subject: rj.LifeEvent.Subject}
		}
	}
	version, written, err := a.deps.App.PublishDiscoveryRules(r.Context(), callerOf(r).actor, commands.PublishDiscoveryRules{Rules: rules})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": version, "position": written.Position})
	return nil
}

// getDiscoveryRules: GET /v1/discovery/rules → the version in force
// (version 0 and no rules before any is published).
func (a *api) getDiscoveryRules(w http.ResponseWriter, r *http.Request) error {
	set, err := a.deps.Query.DiscoveryRules(r.Context(), callerOf(r).actor)
	if err != nil {
		return err
	}
	rules := make([]ruleJSON, len(set.Rules))
	for i, rule := range set.Rules {
		rules[i] = ruleJSON{Code: rule.Code, StandardCode: rule.StandardCode, WithinDays: rule.WithinDays,
			InRegister: rule.InRegister, Explanation: rule.Explanation}
		if rule.LifeEvent != nil {
			rules[i].LifeEvent = &lifeEventMatch{Kind: rule.LifeEvent.Kind, Subject: rule.LifeEvent.Subject}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": set.Version, "rules": rules})
	return nil
}

// discoveryItem is one item of GET /v1/discovery; employee_id and reason
// are absent for those who read statistics only.
type discoveryItem struct {
	ID           string        `json:"id"`
	EmployeeID   string        `json:"employee_id,omitempty"`
	UnitID       string        `json:"unit_id"`
	StandardCode string        `json:"standard_code"`
	Year         int           `json:"year"`
	Reason       string        `json:"reason,omitempty"`
	Rule         ruleReference `json:"rule"`
	Status       string        `json:"status"`
	FoundAt      string        `json:"found_at"`
	CaseID       string        `json:"case_id,omitempty"`
	CaseOpenedAt string        `json:"case_opened_at,omitempty"`
	CasePaidAt   string        `json:"case_paid_at,omitempty"`
	FollowedBy   string        `json:"followed_up_by,omitempty"`
	FollowedAt   string        `json:"followed_up_at,omitempty"`
}

type ruleReference struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
}

// discoveryStatuses are the statuses the list filters by.
var discoveryStatuses = append([]string{"open"}, care.FollowUpOutcomes()...)

// listDiscovery: GET /v1/discovery?unit_id&status&employee_id&cursor&limit,
// in the order items were found, within the caller's subtrees.
func (a *api) listDiscovery(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.DiscoveryFilter{Under: q.id("unit_id"), Status: q.str("status"), EmployeeID: q.id("employee_id"), Page: q.page()}
	if f.Status != "" && !slices.Contains(discoveryStatuses, f.Status) {
		q.fail("status", "must be one of open, visited, applied, declined, not_eligible")
	}
	return listPage(a, w, r, q, f, a.deps.Query.DiscoveryList, func(row query.DiscoveryRow) discoveryItem {
		return discoveryItem{ID: row.ItemID.String(), EmployeeID: idOrEmpty(row.EmployeeID), UnitID: row.UnitID.String(),
			StandardCode: row.StandardCode, Year: row.Year, Reason: row.Reason, Rule: ruleReference{Code: row.RuleCode, Version: row.RuleVersion},
			Status: row.Status, FoundAt: row.FoundAt.UTC().Format(time.RFC3339), CaseID: idOrEmpty(row.CaseID),
			CaseOpenedAt: row.CaseOpenedAt, CasePaidAt: row.CasePaidAt, FollowedBy: row.FollowedBy, FollowedAt: row.FollowedAt}
	})
}

type followUpRequest struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// followUpDiscovery: POST /v1/discovery/{id}/follow-up, for those who
// hold care.manage over the item's employee's unit.
func (a *api) followUpDiscovery(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[followUpRequest]) (commands.Written, error) {
		// The item names its employee, whose unit the right is checked at.
		if err := a.awaitMinPosition(r); err != nil {
			return commands.Written{}, err
		}
		item, err := a.deps.Query.DiscoveryItem(ctx, actor, c.ID)
		if err != nil {
			return commands.Written{}, err
		}
		return a.deps.App.FollowUpDiscovery(ctx, actor, commands.FollowUpDiscovery{
			ItemID: c.ID, EmployeeID: item.EmployeeID, Outcome: c.Body.Outcome, Note: c.Body.Note})
	})
}

// discoverySummary: GET /v1/discovery/summary?unit_id&year, what the
// discovery list did within the caller's subtrees: items found by status,
// the cases they led to and the median days to a case and to payment.
func (a *api) discoverySummary(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.DiscoveryFilter{Under: q.id("unit_id")}
	if s := q.str("year"); s != "" {
		year, err := strconv.Atoi(s)
		if err != nil || year < 2000 || year > 2100 {
			q.fail("year", "must be a year from 2000 to 2100")
		}
		f.Year = year
	}
	if err := a.ready(r, q); err != nil {
		return err
	}
	sum, err := a.deps.Query.DiscoverySummary(r.Context(), callerOf(r).actor, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"found": sum.Found, "by_status": sum.ByStatus, "cases_opened": sum.CasesOpened,
		"cases_paid": sum.CasesPaid, "median_days_to_case": sum.MedianDaysToCase, "median_days_to_payment": sum.MedianDaysToPayment})
	return nil
}
