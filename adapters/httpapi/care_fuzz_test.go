package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzLifeEventImport posts arbitrary files to POST /v1/life-events/import
// as a caseworker: the answer is never a 5xx, and a refusal is always a
// problem. (A refused file writes nothing: TestLifeEventImportOverHTTP.)
func FuzzLifeEventImport(f *testing.F) {
	org := newOrgOverHTTP(f, "sqlite")
	s := org.api
	emp := org.employee(org.stationA)
	header := "employee_id,kind,subject,occurred_on,details\n"
	for _, seed := range []string{
		header + emp + ",hospitalisation,self,2026-01-05,住院\n",
		"\xef\xbb\xbf" + header + emp + ",low_income,parent,2025-12-31,\r\n",
		header + emp + ",wedding,self,2026-01-05,\n",
		header + "x,hospitalisation,self,2026-02-30,\n",
		"PK\x03\x04" + strings.Repeat("\x00", 40),
		"", "\x00\xff", header + strings.Repeat(",", 300), "工号,类型\n1,2\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.in(t).doAs(http.MethodPost, "/v1/life-events/import", org.tokens[actorCaseworker], "text/csv", body)
		answeredAsTheClients(t, "import", body, rec)
	})
}

// FuzzCareRequests posts arbitrary JSON bodies to the register, life-event
// and discovery-rule routes: never a 5xx, every refusal a problem.
func FuzzCareRequests(f *testing.F) {
	org := newOrgOverHTTP(f, "sqlite")
	s := org.api
	emp := org.employee(org.stationA)
	routes := []struct{ method, path, token string }{
		{http.MethodPost, "/v1/employees/" + emp + "/hardship", org.tokens[actorCaseworker]},
		{http.MethodPost, "/v1/employees/" + emp + "/hardship/review", org.tokens[actorCaseworker]},
		{http.MethodPost, "/v1/employees/" + emp + "/life-events", org.tokens[actorCaseworker]},
		{http.MethodPut, "/v1/discovery/rules", org.rootToken()},
	}
	for _, seed := range []string{
		`{"level":"deep","causes":["重病"],"household":{"size":3,"dependants":1,"income_band":"below_minimum","age_band":"40_49"}}`,
		`{"outcome":"change_level","level":"relative","note":"复核"}`,
		`{"kind":"serious_illness","subject":"self","occurred_on":"2026-01-05","details":"肺癌"}`,
		`{"rules":[{"code":"R","standard_code":"X","life_event":{"kind":"disability"},"within_days":-1,"in_register":null}]}`,
		`{"rules":[]}`, `{"household":{"size":1e400}}`, `[]`, `null`, `{"level":`,
	} {
		for i := range routes {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		rec := s.in(t).doAs(rt.method, rt.path, rt.token, "application/json", body)
		answeredAsTheClients(t, rt.path, body, rec)
	})
}
