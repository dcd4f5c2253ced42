package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// FuzzIdentityRequests posts arbitrary bodies to POST /v1/units and POST
// /v1/employees as the root's administrator on the embedded store. Whatever
// arrives, the answer is never a 5xx: every body is accepted or refused as
// the client's, with a problem.
func FuzzIdentityRequests(f *testing.F) {
	org := newOrgOverHTTP(f, "sqlite")
	s := org.api
	unit, _ := json.Marshal(map[string]any{"name": "车间", "code": "FZ-1", "level": "workshop", "parent_id": org.stationA})
	emp, _ := json.Marshal(employeeBody(org.workshopA))
	for _, seed := range []struct {
		employees bool
		body      string
	}{
		{false, string(unit)},
		{true, string(emp)},
		{false, `{"name":"车间","code":"FZ-2","level":"team","parent_id":"` + org.workshopA + `"}`},
		{false, `{"name":" ","code":"a b","level":"bureau","parent_id":null}`},
		{false, `{"name":"\u0000","code":"` + strings.Repeat("x", 40) + `","level":"station"}`},
		{false, `{"parent_id":"` + org.empA + `","level":"workshop","name":"x","code":"y"}`},
		{true, `{"name":"张伟","unit_id":"` + org.stationA + `","id_number":"11010519491231002X","phone":"+86 ` + strings.Repeat("-", 5000) + `13800138000"}`},
		{true, `{"name":"张伟","unit_id":"` + org.stationA + `","id_number":"11010519491231002X","family":[{"relation":"child","name":"\ud800","birth_date":"0000-01-01"}]}`},
		{true, `{"family":null,"unit_id":null}`},
		{true, `{"name":"张伟","unit_id":"` + org.root + `","id_number":"11010519491231002x","bank_account":"1"}`},
		{false, `null`},
		{true, `{"family":[{}, 1]}`},
	} {
		f.Add(seed.employees, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, employees bool, body []byte) {
		path := "/v1/units"
		if employees {
			path = "/v1/employees"
		}
		rec := s.in(t).do(http.MethodPost, path, org.rootToken(), body)
		answeredAsTheClients(t, "POST "+path, body, rec)
	})
}
