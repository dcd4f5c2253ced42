package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"aidtrail/domain/access"
)

// The authorisation matrix's rows for the catalogue, the approval flows and
// the budgets (F2–F4, F11). Standards are public policy: every signed-in
// account reads them, the employee's own included.

var moneyReaders = []access.Role{access.RoleBureauAdmin, access.RoleAuditor, access.RoleAnalyst}

func catalogueMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "POST /v1/standards", what: "bureau-wide", perms: perms(access.PermCatalogueManage), allowed: onlyAdmin,
			ok: 201, scopes: []scope{scopeRoot},
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				return cell{path: "/v1/standards", body: standardBody(f.uniq("DB-"), "")}
			}},
		{route: "POST /v1/standards", what: "a station's programme", perms: perms(access.PermCatalogueManage), allowed: onlyAdmin,
			ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/standards", body: standardBody(f.uniq("ZX-"), pick(sc, f.stationA, f.stationB))}
			}},
		{route: "GET /v1/standards", ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.standard("")
				return cell{path: "/v1/standards"}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				if items, _ := jsonBody(t, rec)["items"].([]any); len(items) == 0 {
					t.Errorf("the catalogue lists nothing: %s", rec.Body)
				}
			}},
		{route: "GET /v1/standards/{code}", ok: 200, scopes: []scope{scopeNone},
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				return cell{path: "/v1/standards/" + f.standard("")}
			}},
		{route: "PUT /v1/standards/{code}", perms: perms(access.PermCatalogueManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				code := f.standard(pick(sc, f.stationA, f.stationB))
				body := standardBody(code, "")
				body["name"] = "大病救助（修订）"
				return cell{path: "/v1/standards/" + code, body: body}
			}},
		{route: "PUT /v1/units/{id}/flows/{category}", perms: perms(access.PermOrgManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				approver := f.approverAt(pick(sc, f.stationA, f.stationB))
				return cell{path: "/v1/units/" + pick(sc, f.workshopA, f.workshopB) + "/flows/medical",
					body: flowBody(f.uniq("初审"), approver)}
			}},
		{route: "GET /v1/units/{id}/flows/{category}", perms: perms(access.PermOrgRead), allowed: allRoles, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				station := pick(sc, f.stationA, f.stationB)
				f.api.must(http.StatusOK, http.MethodPut, "/v1/units/"+station+"/flows/education", f.rootToken(),
					flowBody("站审", f.approverAt(station)))
				return cell{path: "/v1/units/" + pick(sc, f.workshopA, f.workshopB) + "/flows/education"}
			},
			verify: func(t *testing.T, f *orgOverHTTP, _ matrixActor, c cell, rec *httptest.ResponseRecorder) {
				v := jsonBody(t, rec)
				if v["inherited"] != true || (v["unit_id"] != f.stationA && v["unit_id"] != f.stationB) {
					t.Errorf("a workshop without a flow of its own got %s, want its station's", rec.Body)
				}
			}},
		{route: "POST /v1/budgets", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/budgets", body: budgetBody(pick(sc, f.workshopA, f.workshopB), f.uniq("aid.medical."))}
			}},
		{route: "GET /v1/budgets/{id}", perms: perms(access.PermBudgetsManage, access.PermAuditRead, access.PermStatsRead),
			allowed: moneyReaders, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/budgets/" + f.budget(pick(sc, f.workshopA, f.workshopB))}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				v := jsonBody(t, rec)
				if v["allocated_fen"] != float64(50_000_000) || v["available_fen"] != float64(50_000_000) || v["reserved_fen"] != float64(0) {
					t.Errorf("budget figures %s", rec.Body)
				}
			}},
		{route: "POST /v1/budgets/{id}/increase", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/budgets/" + f.budget(pick(sc, f.workshopA, f.workshopB)) + "/increase",
					body: map[string]any{"amount_fen": 1_000_000, "reason": "年中追加"}}
			}},
	}
}

// standardBody is a valid standard: owned by owner, or bureau-wide when
// owner is "".
func standardBody(code, owner string) map[string]any {
	b := map[string]any{
		"code": code, "name": "大病救助", "category": "medical",
		"amount_rule":    map[string]any{"kind": "percent_of_expense", "percent": 50, "cap_fen": 2_000_000},
		"annual_cap_fen": 5_000_000, "max_times_per_year": 2, "required_documents": []string{"diagnosis", "invoice"},
		"budget_line": "aid.medical", "beneficiaries": []string{"self", "spouse", "child"},
	}
	if owner != "" {
		b["owner_unit_id"] = owner
	}
	return b
}

// standard publishes a fresh standard as the root's administrator and
// returns its code.
func (f *orgOverHTTP) standard(owner string) string {
	code := f.uniq("BZ-")
	f.api.must(http.StatusCreated, http.MethodPost, "/v1/standards", f.rootToken(), standardBody(code, owner))
	return code
}

// approverAt gives the pool account an approver position at unit and
// returns the account's id.
func (f *orgOverHTTP) approverAt(unit string) string {
	f.api.create("/v1/accounts/"+f.pool+"/positions", f.rootToken(), position(unit, access.RoleApprover))
	return f.pool
}

func flowBody(step, approver string) map[string]any {
	return map[string]any{"steps": []map[string]any{{"name": step, "assignee_account_id": approver, "min_amount_fen": 0}}}
}

func budgetBody(unit, line string) map[string]any {
	return map[string]any{"unit_id": unit, "year": 2026, "line": line, "amount_fen": 50_000_000}
}

// budget allocates a fresh budget of 500 000 yuan at unit as the root's
// administrator and returns its id.
func (f *orgOverHTTP) budget(unit string) string {
	return f.api.create("/v1/budgets", f.rootToken(), budgetBody(unit, f.uniq("aid.hardship.")))
}
