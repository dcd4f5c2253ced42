package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"

	"aidtrail/domain/access"
)

// Rows of the authorisation matrix for cases and payments. The employee's
// own account acts on its own cases (its employee, empSelf, is at station
// A), never on another's.

var (
	caseFilers  = []access.Role{access.RoleCaseworker}
	caseReaders = []access.Role{access.RoleBureauAdmin, access.RoleCaseworker, access.RoleApprover, access.RoleAuditor}
	casePerms   = perms(access.PermCasesFile)
	readPerms   = perms(access.PermCasesFile, access.PermCasesDecide, access.PermAuditRead, access.PermBudgetsManage)
)

// ownOr is the employee whose case a cell acts on: the employee's own in A.
func (f *orgOverHTTP) ownOr(sc scope) string { return pick(sc, f.empSelf, f.empB) }

func caseMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "POST /v1/cases", perms: casePerms, allowed: caseFilers, self: true, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				f.cases()
				return cell{path: "/v1/cases", body: grantBody(f.ownOr(sc))}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				if jsonBody(t, rec)["status"] != "draft" {
					t.Errorf("opened case: %s", rec.Body)
				}
			}},
		{route: "GET /v1/cases/{id}/documents/{sha256}", perms: readPerms, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				id := f.grantCase(f.ownOr(sc))
				content := tinyPNG(f.api.t)
				body, ct := upload(f.api.t, "invoice", content)
				req := f.api.request(http.MethodPost, "/v1/cases/"+id+"/documents", f.cases().cwRoot, body)
				req.Header.Set("Content-Type", ct)
				if rec := f.api.serve(req); rec.Code != http.StatusCreated {
					f.api.t.Fatalf("upload for the matrix: %d %s", rec.Code, rec.Body)
				}
				sum := sha256.Sum256(content)
				return cell{path: "/v1/cases/" + id + "/documents/" + hex.EncodeToString(sum[:])}
			}},
		{route: "GET /v1/inbox", ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(_ *orgOverHTTP, _ matrixActor, _ scope) cell { return cell{path: "/v1/inbox"} }},
		{route: "GET /v1/cases", perms: readPerms, allowed: caseReaders, self: true, ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(_ *orgOverHTTP, _ matrixActor, _ scope) cell { return cell{path: "/v1/cases"} }},
		{route: "GET /v1/cases/{id}", perms: readPerms, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.submitted(f.ownOr(sc))}
			}},
		{route: "POST /v1/cases/{id}/documents", perms: casePerms, allowed: caseFilers, self: true, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				body, ct := upload(f.api.t, "invoice", tinyPNG(f.api.t))
				return cell{path: "/v1/cases/" + f.grantCase(f.ownOr(sc)) + "/documents", body: body, contentType: ct}
			}},
		{route: "POST /v1/cases/{id}/submit", perms: casePerms, allowed: caseFilers, self: true, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.grantCase(f.ownOr(sc)) + "/submit"}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				if v := jsonBody(t, rec); v["status"] != "in_review" || len(v["steps"].([]any)) != 1 {
					t.Errorf("submitted case: %s", rec.Body)
				}
			}},
		{route: "POST /v1/cases/{id}/decisions", perms: perms(access.PermCasesDecide), allowed: []access.Role{access.RoleApprover},
			ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.submitted(pick(sc, f.empA, f.empB)) + "/decisions",
					body: map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen}}
			}},
		{route: "POST /v1/cases/{id}/withdraw", perms: casePerms, allowed: caseFilers, self: true, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.grantCase(f.ownOr(sc)) + "/withdraw", body: map[string]any{"reason": "不再需要"}}
			}},
		{route: "POST /v1/cases/{id}/payments", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin, ok: 201, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.approved(f.ownOr(sc)) + "/payments", body: map[string]any{"amount_fen": grantFen}}
			}},
		{route: "GET /v1/payments/{id}", perms: readPerms, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/" + f.instructed(f.ownOr(sc))}
			}},
		{route: "POST /v1/payments/{id}/confirm", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/" + f.instructed(f.ownOr(sc)) + "/confirm", body: map[string]any{"bank_ref": "BOC" + f.uniq("R")}}
			}},
		{route: "POST /v1/payments/{id}/fail", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/" + f.instructed(f.ownOr(sc)) + "/fail", body: map[string]any{"reason": "账户已销户"}}
			}},
		{route: "POST /v1/payments/reconcile", perms: perms(access.PermBudgetsManage), allowed: onlyAdmin,
			ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				csv := "payment_id,status,bank_ref,reason,confirmed_on\n" +
					f.instructed(f.ownOr(sc)) + ",confirmed,BOC" + f.uniq("R") + ",,2026-11-27\n"
				return cell{path: "/v1/payments/reconcile", body: []byte(csv), contentType: "text/csv"}
			}},
	}
}
