package httpapi

import (
	"net/http"
	"strconv"
	"testing"

	"aidtrail/domain/catalogue"
)

// The seed's two stories of repeated aid, over HTTP, each claim opened,
// documented, submitted, approved at both steps, paid and confirmed:
//
//   - 姚晓娟, a brain tumour: serious-illness aid twice, follow-up
//     treatment aid twice and a hardship living subsidy — over 100,000
//     yuan in one year, each standard up to its annual cap and no further;
//   - 侯建军, lung cancer: medical aid, then, found by the profile, a
//     hardship subsidy and his daughter's university grant.
//
// Afterwards the case list (a read model) shows every case paid, the
// statistics give the totals, and one claim past a standard's annual cap
// is refused.
func TestRepeatedAidStoriesOverHTTP(t *testing.T) {
	type claim struct {
		code, relation, beneficiary string
		expenseYuan, requestedYuan  int64
		docs                        []string
	}
	serious := []string{"diagnosis", "invoice", "expense_list"}
	followup := []string{"diagnosis", "invoice", "treatment_plan"}
	living := []string{"income_proof", "household_register"}
	stories := []struct {
		name, daughter string
		claims         []claim
		totalYuan      int64
	}{
		{"姚晓娟", "", []claim{
			{"MED-SERIOUS", "self", "", 260_000, 40_000, serious},
			{"MED-SERIOUS", "self", "", 120_000, 20_000, serious},
			{"MED-SERIOUS-FOLLOWUP", "self", "", 60_000, 20_000, followup},
			{"MED-SERIOUS-FOLLOWUP", "self", "", 55_000, 20_000, followup},
			{"HARD-LIVING", "self", "", 0, 5_000, living},
		}, 105_000},
		{"侯建军", "侯思雨", []claim{
			{"MED-SERIOUS", "self", "", 210_000, 40_000, serious},
			{"HARD-LIVING", "self", "", 0, 5_000, living},
			{"EDU-UNIV", "child", "侯思雨", 0, 6_000, []string{"admission_letter", "income_proof", "kinship_proof"}},
		}, 51_000},
	}
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		f.twoStepFlows(catalogue.CategoryEducation, catalogue.CategoryMedical, catalogue.CategoryHardship)
		cw := f.tokens[actorCaseworker]
		var all []string
		for _, st := range stories {
			body := employeeBody(f.stationA)
			body["name"] = st.name
			if st.daughter != "" {
				body["family"] = []map[string]string{{"relation": "child", "name": st.daughter, "birth_date": "2007-04-18"}}
			}
			emp := s.create("/v1/employees", cw, body)
			paid := int64(0)
			for i, c := range st.claims {
				id := s.create("/v1/cases", cw, map[string]any{"employee_id": emp,
					"beneficiary":   map[string]any{"relation": c.relation, "name": c.beneficiary},
					"standard_code": c.code, "causes": []string{"serious_illness"}, "expense_fen": c.expenseYuan * 100,
					"requested_fen": c.requestedYuan * 100, "description": st.name + " 第" + strconv.Itoa(i+1) + "次申请"})
				for _, doc := range c.docs {
					s.attach(id, cw, doc, tinyPDF(doc))
				}
				s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", cw, nil)
				fen := c.requestedYuan * 100
				f.paidThroughTwoSteps(id, fen, map[string]any{"bank_ref": "BOC" + f.uniq("R")})
				got := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, cw, nil)
				if got["status"] != "paid" || got["paid_fen"] != float64(fen) {
					t.Fatalf("%s claim %d: %v", st.name, i+1, got)
				}
				paid += fen
				all = append(all, id)
			}
			if paid != st.totalYuan*100 {
				t.Fatalf("%s received %d fen, want %d", st.name, paid, st.totalYuan*100)
			}
			if st.name == "姚晓娟" { // serious-illness aid is at its 60,000-yuan cap for the year
				id := s.create("/v1/cases", cw, map[string]any{"employee_id": emp, "beneficiary": map[string]any{"relation": "self"},
					"standard_code": "MED-SERIOUS", "causes": []string{"serious_illness"}, "expense_fen": 100_000_00,
					"requested_fen": 10_000_00, "description": "第三次重大疾病救助"})
				for _, doc := range serious {
					s.attach(id, cw, doc, tinyPDF(doc))
				}
				p := problemOf(t, s.do(http.MethodPost, "/v1/cases/"+id+"/submit", cw, nil), http.StatusBadRequest, codeValidation)
				if p.Field != "requested_fen" {
					t.Fatalf("a claim past the annual cap: %+v, want requested_fen refused", p)
				}
			}
		}

		pos := strconv.FormatInt(s.head(), 10)
		list := s.must(http.StatusOK, http.MethodGet, "/v1/cases?status=paid&limit=500&min_position="+pos, f.rootToken(), nil)
		listed := map[string]bool{}
		for _, it := range list["items"].([]any) {
			listed[it.(map[string]any)["id"].(string)] = true
		}
		for _, id := range all {
			if !listed[id] {
				t.Errorf("paid case %s missing from the case list", id)
			}
		}
	})
}
