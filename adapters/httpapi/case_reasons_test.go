package httpapi

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/catalogue"
)

// F9: the applicant sees, on their own case, the documents its standard
// still needs, and each step's decision with its reason — why the case
// came back — and, for an approval, the amount.
func TestApplicantSeesReasonsAndMissingDocuments(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		world := f.cases()
		def := catalogue.Definition{
			Code: "DOCS", Name: "需材料补助", Category: catalogue.CategoryHardship, OwnerUnitID: uuid.MustParse(f.root),
			AmountRule: catalogue.FixedRule(grantFen), AnnualCapFen: 10 * grantFen, MaxTimesPerYear: 5,
			RequiredDocuments: []string{"income_proof"}, BudgetLine: "aid.grant", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
		}
		if _, err := s.env.App.PublishStandard(t.Context(), f.actor(actorRootAdmin), commands.PublishStandard{Definition: def}); err != nil {
			t.Fatal(err)
		}
		body := grantBody(f.empSelf)
		body["standard_code"] = "DOCS"
		id := s.create("/v1/cases", world.cwRoot, body)
		own := f.tokens[actorEmployee]

		c := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, own, nil)
		if missing := c["missing_documents"].([]any); len(missing) != 1 || missing[0] != "income_proof" {
			t.Fatalf("missing documents before the upload: %v", c["missing_documents"])
		}
		s.attach(id, world.cwRoot, "income_proof", tinyPNG(t))
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", world.cwRoot, nil)
		c = s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, own, nil)
		if len(c["missing_documents"].([]any)) != 0 {
			t.Fatalf("missing documents after the upload: %v", c["missing_documents"])
		}
		step := c["steps"].([]any)[0].(map[string]any)
		if step["reason"] != nil || step["amount_fen"] != nil || step["decision"] != nil {
			t.Fatalf("an undecided step: %v", step)
		}

		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.tokens[actorApprover],
			map[string]any{"step": "审核", "decision": "return", "reason": "请补充近三个月工资流水"})
		c = s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, own, nil)
		step = c["steps"].([]any)[0].(map[string]any)
		if c["status"] != "returned" || step["decision"] != "return" || step["reason"] != "请补充近三个月工资流水" || step["amount_fen"] != nil {
			t.Fatalf("the applicant's view of a returned case: %v", c)
		}

		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", world.cwRoot, nil)
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.tokens[actorApprover],
			map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen})
		c = s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, own, nil)
		step = c["steps"].([]any)[0].(map[string]any)
		if step["decision"] != "approve" || step["amount_fen"] != float64(grantFen) || step["reason"] != nil {
			t.Fatalf("the applicant's view of an approved case: %v", c)
		}
	})
}
