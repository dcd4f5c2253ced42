package httpapi

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
)

// The seed's stories over HTTP (F6–F9): a caseworker files on the
// employee's behalf, uploads the documents the standard asks for, submits;
// two named approvers each approve their step; the bureau pays and the
// bank confirms. The case then reads as paid, with who decided each step,
// and the budget line shows the spending.
func TestCaseStoriesOverHTTP(t *testing.T) {
	stories := []struct {
		name, code, category, relation, beneficiary string
		expenseFen, requestedFen                    int64
		docs                                        []string
	}{
		{"a child admitted to university", "EDU-UNIV", string(catalogue.CategoryEducation), "child", "张小明",
			0, 600_000, []string{"admission_letter", "income_proof", "kinship_proof"}},
		{"a spouse with multiple myeloma", "MED-FAMILY-SERIOUS", string(catalogue.CategoryMedical), "spouse", "李芳",
			0, 4_000_000, []string{"diagnosis", "invoice", "kinship_proof"}},
		{"an 80,000-yuan inpatient bill at 50%", "MED-INPATIENT", string(catalogue.CategoryMedical), "self", "",
			8_000_000, 4_000_000, []string{"invoice", "discharge_summary", "expense_list"}},
	}
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		w := f.cases()
		f.twoStepFlows(catalogue.CategoryEducation, catalogue.CategoryMedical)
		cw := f.tokens[actorCaseworker]
		for _, st := range stories {
			t.Run(st.name, func(t *testing.T) {
				f := f.in(t)
				s := f.api
				emp := s.create("/v1/employees", cw, employeeBody(f.stationA))
				id := s.create("/v1/cases", cw, map[string]any{"employee_id": emp,
					"beneficiary":   map[string]any{"relation": st.relation, "name": st.beneficiary},
					"standard_code": st.code, "causes": []string{"story"}, "expense_fen": st.expenseFen,
					"requested_fen": st.requestedFen, "description": st.name})
				for i, doc := range st.docs {
					content := tinyPDF(doc)
					if i%2 == 0 {
						content = tinyPNG(t)
					}
					s.attach(id, cw, doc, content)
				}
				sub := s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", cw, nil)
				if sub["status"] != "in_review" || len(sub["steps"].([]any)) != 2 || len(sub["documents"].([]any)) != len(st.docs) {
					t.Fatalf("submitted: %v", sub)
				}
				pid := f.paidThroughTwoSteps(id, st.requestedFen, map[string]any{"bank_ref": "BOC" + f.uniq("S"), "confirmed_on": "2026-11-27"})

				rec := s.do(http.MethodGet, "/v1/cases/"+id, cw, nil)
				c := jsonBody(t, rec)
				if rec.Code != http.StatusOK || rec.Header().Get("ETag") == "" || c["status"] != "paid" ||
					c["paid_fen"] != float64(st.requestedFen) || c["approved_fen"] != float64(st.requestedFen) {
					t.Fatalf("the paid case: %d %s", rec.Code, rec.Body)
				}
				for i, who := range []uuid.UUID{w.approverA, w.approverR} {
					step := c["steps"].([]any)[i].(map[string]any)
					if step["decision"] != "approve" || step["decided_by"] != who.String() || step["decided_at"] == nil {
						t.Errorf("step %d: %v, want approved by %s", i, step, who)
					}
				}
				p := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+pid, f.rootToken(), nil)
				if p["status"] != "confirmed" || p["confirmed_on"] != "2026-11-27" {
					t.Errorf("payment: %v", p)
				}
				b := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+w.budgets[lineOf(t, st.code)], f.rootToken(), nil)
				if b["spent_fen"] != float64(st.requestedFen) || b["reserved_fen"] != float64(0) {
					t.Errorf("budget after payment: %v", b)
				}
			})
		}
	})
}

func lineOf(t *testing.T, code string) string {
	for _, def := range catalogue.SampleCatalogue(uuid.New()) {
		if def.Code == code {
			return def.BudgetLine
		}
	}
	t.Fatalf("no standard %s", code)
	return ""
}

// Segregation of duties over HTTP (invariant 3): whoever filed a case may
// not decide it even as its step's approver, and one approver may not take
// two steps of one case. Neither refusal writes anything.
func TestSegregationOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		w := f.cases()
		s := f.api
		root := f.rootToken()
		dual := f.account(root, "", "dual.a", nil)
		s.create("/v1/accounts/"+dual+"/positions", root, position(f.stationA, access.RoleCaseworker, access.RoleApprover))
		dualToken := s.login("dual.a")
		steps := []casework.FlowStep{{Name: "一审", AssigneeAccountID: uuid.MustParse(dual)}, {Name: "二审", AssigneeAccountID: w.approverA}}
		if _, _, err := s.env.App.ConfigureFlow(t.Context(), f.actor(actorRootAdmin), commands.ConfigureFlow{UnitID: uuid.MustParse(f.workshopA), Category: "hardship", Steps: steps}); err != nil {
			t.Fatal(err)
		}
		approve := func(step string) map[string]any {
			return map[string]any{"step": step, "decision": "approve", "amount_fen": grantFen}
		}
		refused := func(token, caseID, step string) {
			t.Helper()
			before := s.head()
			problemOf(t, s.do(http.MethodPost, "/v1/cases/"+caseID+"/decisions", token, approve(step)), http.StatusForbidden, codeSegregationOfDuties)
			if s.head() != before {
				t.Errorf("a refused decision wrote %v", types(s.eventsAfter(before)))
			}
		}

		emp := s.create("/v1/employees", root, employeeBody(f.workshopA))
		filedByDual := s.create("/v1/cases", dualToken, grantBody(emp))
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+filedByDual+"/submit", dualToken, nil)
		refused(dualToken, filedByDual, "一审")

		other := s.create("/v1/cases", f.tokens[actorCaseworker], grantBody(emp))
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+other+"/submit", f.tokens[actorCaseworker], nil)
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+other+"/decisions", dualToken, approve("一审"))
		refused(dualToken, other, "二审")
		// Another approver than the step's assignee is forbidden.
		problemOf(t, s.do(http.MethodPost, "/v1/cases/"+other+"/decisions", w.approverRoot, approve("二审")), http.StatusForbidden, codeForbidden)
		// A step that is not waiting is invalid_state.
		problemOf(t, s.do(http.MethodPost, "/v1/cases/"+other+"/decisions", f.tokens[actorApprover], approve("一审")), http.StatusConflict, codeInvalidState)
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+other+"/decisions", f.tokens[actorApprover], approve("二审"))
	})
}

// Payments over HTTP (invariants 1 and 4): nothing beyond the approved
// amount is instructed, and 20 simultaneous retries of one instruction
// with one Idempotency-Key instruct one payment.
func TestPaymentsOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		id := f.approved(f.empA)
		s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": grantFen})
		before := s.head()
		problemOf(t, s.do(http.MethodPost, "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": 1}), http.StatusConflict, codeAlreadyPaid)
		if s.head() != before {
			t.Error("a refused payment wrote events")
		}

		id = f.approved(f.empA)
		before = s.head()
		pay := func() *httptest.ResponseRecorder {
			req := s.request(http.MethodPost, "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": grantFen})
			req.Header.Set("Idempotency-Key", "pay-"+id)
			return s.serve(req)
		}
		recs := make([]*httptest.ResponseRecorder, 20)
		var wg sync.WaitGroup
		for i := range recs {
			wg.Go(func() { recs[i] = pay() })
		}
		wg.Wait()
		final := pay()
		if final.Code != http.StatusCreated {
			t.Fatalf("the retry after the rush: %d %s", final.Code, final.Body)
		}
		for i, rec := range recs {
			switch {
			case rec.Code == http.StatusCreated && rec.Body.String() == final.Body.String():
			case rec.Code == http.StatusConflict: // the first was still running: retry later
				problemOf(t, rec, http.StatusConflict, codeConflict)
			default:
				t.Errorf("request %d: %d %s, want the answer %s", i, rec.Code, rec.Body, final.Body)
			}
		}
		if instructed := countOf(s.eventsAfter(before), "payment.instructed"); instructed != 1 {
			t.Fatalf("%d payments instructed, want 1", instructed)
		}
	})
}
