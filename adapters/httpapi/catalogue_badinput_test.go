package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

// Bad input to the catalogue, flow and budget endpoints is refused with a
// problem naming the member at fault, and nothing is written.
func TestCatalogueBadInputWritesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		published := f.standard("")
		approver := f.approverAt(f.stationA)
		outsider := f.account(f.rootToken(), "", "not.an.approver", nil)
		s.create("/v1/accounts/"+outsider+"/positions", f.rootToken(), position(f.stationA, "caseworker"))
		budgetLine := "aid.hardship"
		s.create("/v1/budgets", f.rootToken(), budgetBody(f.workshopA, budgetLine))
		std := func(mutate func(map[string]any)) map[string]any {
			b := standardBody(f.uniq("BAD-"), "")
			mutate(b)
			return b
		}
		rule := func(r string) map[string]any {
			return std(func(b map[string]any) { b["amount_rule"] = json.RawMessage(r) })
		}
		flow := func(steps ...map[string]any) map[string]any { return map[string]any{"steps": steps} }
		step := func(name, who string, min any) map[string]any {
			return map[string]any{"name": name, "assignee_account_id": who, "min_amount_fen": min}
		}
		budget := func(mutate func(map[string]any)) map[string]any {
			b := budgetBody(f.workshopA, f.uniq("aid.edu."))
			mutate(b)
			return b
		}
		flowA := "/v1/units/" + f.workshopA + "/flows/medical"
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"amount rule not an object", "POST", "/v1/standards", rule(`"fixed"`), 400, codeValidation, "amount_rule"},
			{"amount rule missing", "POST", "/v1/standards", std(func(b map[string]any) { delete(b, "amount_rule") }), 400, codeValidation, "amount_rule"},
			{"amount rule null", "POST", "/v1/standards", rule(`null`), 400, codeValidation, "amount_rule"},
			{"unknown rule kind", "POST", "/v1/standards", rule(`{"kind":"lump_sum","amount_fen":1}`), 400, codeValidation, "amount_rule.kind"},
			{"a member of another kind", "POST", "/v1/standards", rule(`{"kind":"fixed","amount_fen":100,"percent":5}`), 400, codeValidation, "amount_rule.percent"},
			{"fixed amount as a float", "POST", "/v1/standards", rule(`{"kind":"fixed","amount_fen":100.5}`), 400, codeValidation, "amount_rule.amount_fen"},
			{"fixed amount as a string", "POST", "/v1/standards", rule(`{"kind":"fixed","amount_fen":"100"}`), 400, codeValidation, "amount_rule.amount_fen"},
			{"negative fixed amount", "POST", "/v1/standards", rule(`{"kind":"fixed","amount_fen":-100}`), 400, codeValidation, "amount_rule.amount_fen"},
			{"percent 0", "POST", "/v1/standards", rule(`{"kind":"percent_of_expense","percent":0,"cap_fen":100}`), 400, codeValidation, "amount_rule.percent"},
			{"percent 101", "POST", "/v1/standards", rule(`{"kind":"percent_of_expense","percent":101,"cap_fen":100}`), 400, codeValidation, "amount_rule.percent"},
			{"percent without cap", "POST", "/v1/standards", rule(`{"kind":"percent_of_expense","percent":50}`), 400, codeValidation, "amount_rule.cap_fen"},
			{"decreasing tiers", "POST", "/v1/standards", rule(`{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1000},{"min_expense_fen":500,"amount_fen":900}]}`), 400, codeValidation, "amount_rule.tiers[1].amount_fen"},
			{"tiers out of order", "POST", "/v1/standards", rule(`{"kind":"tiered","tiers":[{"min_expense_fen":500,"amount_fen":1000},{"min_expense_fen":500,"amount_fen":2000}]}`), 400, codeValidation, "amount_rule.tiers[1].min_expense_fen"},
			{"no tiers", "POST", "/v1/standards", rule(`{"kind":"tiered","tiers":[]}`), 400, codeValidation, "amount_rule.tiers"},
			{"a tier with an unknown member", "POST", "/v1/standards", rule(`{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1,"max":2}]}`), 400, codeValidation, "amount_rule.tiers[0].max"},
			{"annual cap as a float", "POST", "/v1/standards", std(func(b map[string]any) { b["annual_cap_fen"] = 1.5 }), 400, codeValidation, "annual_cap_fen"},
			{"negative annual cap", "POST", "/v1/standards", std(func(b map[string]any) { b["annual_cap_fen"] = -1 }), 400, codeValidation, "annual_cap_fen"},
			{"unknown category", "POST", "/v1/standards", std(func(b map[string]any) { b["category"] = "housing" }), 400, codeValidation, "category"},
			{"lower-case code", "POST", "/v1/standards", std(func(b map[string]any) { b["code"] = "db-1" }), 400, codeValidation, "code"},
			{"unknown beneficiary", "POST", "/v1/standards", std(func(b map[string]any) { b["beneficiaries"] = []string{"cousin"} }), 400, codeValidation, "beneficiaries[0]"},
			{"owner not a UUID", "POST", "/v1/standards", std(func(b map[string]any) { b["owner_unit_id"] = "root" }), 400, codeValidation, "owner_unit_id"},
			{"unknown owner", "POST", "/v1/standards", std(func(b map[string]any) { b["owner_unit_id"] = "00000000-0000-7000-8000-000000000000" }), 404, codeNotFound, ""},
			{"a code published already", "POST", "/v1/standards", standardBody(published, ""), 409, codeConflict, ""},
			{"revise to another owner", "PUT", "/v1/standards/" + published, std(func(b map[string]any) { b["code"] = published; b["owner_unit_id"] = f.stationA }), 400, codeValidation, "owner_unit_id"},
			{"revise under another code", "PUT", "/v1/standards/" + published, std(func(map[string]any) {}), 400, codeValidation, "code"},
			{"revise a stale version", "PUT", "/v1/standards/" + published, standardBody(published, f.root), 409, codeConflict, ""},
			{"revise an unknown standard", "PUT", "/v1/standards/NOPE-1", standardBody("NOPE-1", ""), 404, codeNotFound, ""},
			{"version 0", "GET", "/v1/standards/" + published + "?version=0", nil, 400, codeValidation, "version"},
			{"a version never published", "GET", "/v1/standards/" + published + "?version=9", nil, 404, codeNotFound, ""},
			{"unknown flow category", "PUT", "/v1/units/" + f.workshopA + "/flows/housing", flow(step("初审", approver, 0)), 400, codeValidation, "category"},
			{"read an unknown flow category", "GET", "/v1/units/" + f.workshopA + "/flows/housing", nil, 400, codeValidation, "category"},
			{"no steps", "PUT", flowA, flow(), 400, codeValidation, "steps"},
			{"duplicate assignees", "PUT", flowA, flow(step("初审", approver, 0), step("复审", approver, 100)), 400, codeValidation, "steps[1].assignee_account_id"},
			{"duplicate step names", "PUT", flowA, flow(step("初审", approver, 0), step("初审", outsider, 100)), 400, codeValidation, "steps[1].name"},
			{"assignee without the approver role", "PUT", flowA, flow(step("初审", outsider, 0)), 400, codeValidation, "steps[0].assignee_account_id"},
			{"assignee of no account", "PUT", flowA, flow(step("初审", "00000000-0000-7000-8000-000000000000", 0)), 400, codeValidation, "steps[0].assignee_account_id"},
			{"assignee not a UUID", "PUT", flowA, flow(step("初审", "wang.li", 0)), 400, codeValidation, "steps[0].assignee_account_id"},
			{"negative step amount", "PUT", flowA, flow(step("初审", approver, -1)), 400, codeValidation, "steps[0].min_amount_fen"},
			{"step amount as a float", "PUT", flowA, flow(step("初审", approver, 0.5)), 400, codeValidation, "steps.min_amount_fen"},
			{"stale If-Match on a new flow", "PUT", flowA, flow(step("初审", approver, 0)), 409, codeConflict, ""},
			{"no flow anywhere", "GET", flowA, nil, 404, codeNotFound, ""},
			{"negative budget", "POST", "/v1/budgets", budget(func(b map[string]any) { b["amount_fen"] = -100 }), 400, codeValidation, "amount_fen"},
			{"budget as a float", "POST", "/v1/budgets", budget(func(b map[string]any) { b["amount_fen"] = 100.25 }), 400, codeValidation, "amount_fen"},
			{"budget year out of range", "POST", "/v1/budgets", budget(func(b map[string]any) { b["year"] = 1999 }), 400, codeValidation, "year"},
			{"budget line with capitals", "POST", "/v1/budgets", budget(func(b map[string]any) { b["line"] = "Aid Medical" }), 400, codeValidation, "line"},
			{"budget for an unknown unit", "POST", "/v1/budgets", budget(func(b map[string]any) { b["unit_id"] = "00000000-0000-7000-8000-000000000000" }), 404, codeNotFound, ""},
			{"a second budget for the unit, year and line", "POST", "/v1/budgets", budgetBody(f.workshopA, budgetLine), 409, codeConflict, ""},
			{"budget id not a UUID", "GET", "/v1/budgets/2026", nil, 400, codeValidation, "id"},
			{"unknown budget", "GET", "/v1/budgets/00000000-0000-7000-8000-000000000000", nil, 404, codeNotFound, ""},
			{"increase by nothing", "POST", "/v1/budgets/00000000-0000-7000-8000-000000000000/increase", map[string]any{"amount_fen": 0, "reason": "x"}, 404, codeNotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.in(t)
				req := s.request(c.method, c.path, f.rootToken(), c.body)
				switch {
				case c.body == nil:
					req.Header.Del("Content-Type")
				case c.name == "revise a stale version" || c.name == "stale If-Match on a new flow":
					req.Header.Set("If-Match", `"7"`)
				}
				if p := s.refused(c.name, req, c.status, c.code); p.Field != c.field {
					t.Errorf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
			})
		}
	})
}

// FuzzStandardRequests posts arbitrary bodies to POST /v1/standards as the
// root's administrator on the embedded store: the answer is never a 5xx,
// and every refusal is a problem.
func FuzzStandardRequests(f *testing.F) {
	org := newOrgOverHTTP(f, "sqlite")
	s := org.api
	valid, _ := json.Marshal(standardBody("FZ-1", org.stationA))
	for _, seed := range []string{
		string(valid),
		`{"code":"FZ-2","name":"助学","category":"education","amount_rule":{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":100000},{"min_expense_fen":500000,"amount_fen":300000}]},"annual_cap_fen":300000,"max_times_per_year":1,"required_documents":["admission_letter"],"budget_line":"aid.education","beneficiaries":["child"]}`,
		`{"code":"FZ-3","amount_rule":{"kind":"percent_of_expense","percent":1e2,"cap_fen":9223372036854775807}}`,
		`{"amount_rule":{"kind":"tiered","tiers":null}}`,
		`{"amount_rule":{"kind":"tiered","tiers":[{},{"min_expense_fen":-1}]}}`,
		`{"amount_rule":{"kind":"fixed","amount_fen":1,"kind":"percent_of_expense"}}`,
		`{"amount_rule":[],"annual_cap_fen":1e400}`,
		`{"code":"\u0000","owner_unit_id":"` + org.empA + `"}`,
		`{"required_documents":[1],"beneficiaries":{}}`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.in(t).do(http.MethodPost, "/v1/standards", org.rootToken(), body)
		answeredAsTheClients(t, "POST /v1/standards", body, rec)
	})
}
