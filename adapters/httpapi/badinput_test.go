package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Bad input is refused with a problem that says what is wrong and where,
// and nothing is written: the store's head does not move.
//
// Moving a unit under itself or under a unit of its own subtree is 400
// validation on parent_id, not 409: no state of the organisation could make
// the request right (a unit can never be its own ancestor), so it is the
// request that is wrong, not the moment it was sent. The domain says so by
// making its *org.CycleError match fault.ErrInvalid with a validation error
// on parent_id.
func TestBadInputWritesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		unit := func(mutate func(map[string]any)) map[string]any {
			b := map[string]any{"name": "车间", "code": f.uniq("W"), "level": "workshop", "parent_id": f.stationA}
			mutate(b)
			return b
		}
		employee := func(mutate func(map[string]any)) map[string]any {
			b := employeeBody(f.stationA)
			mutate(b)
			return b
		}
		tomorrow := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"malformed JSON", "POST", "/v1/units", `{"name":"车间","code":`, 400, codeValidation, ""},
			{"not an object", "POST", "/v1/units", `["车间"]`, 400, codeValidation, ""},
			{"trailing data", "POST", "/v1/units", `{"name":"a"} {}`, 400, codeValidation, ""},
			{"empty body", "POST", "/v1/units/" + f.workshopA + "/rename", "", 400, codeValidation, ""},
			{"unknown field", "POST", "/v1/units", unit(func(b map[string]any) { b["nmae"] = "x" }), 400, codeValidation, "nmae"},
			{"wrong type", "POST", "/v1/employees", employee(func(b map[string]any) { b["name"] = 5 }), 400, codeValidation, "name"},
			{"roles not an array", "POST", "/v1/accounts/" + f.pool + "/positions",
				map[string]any{"unit_id": f.stationA, "title": "干事", "roles": "caseworker"}, 400, codeValidation, "roles"},
			{"too large", "POST", "/v1/employees", employee(func(b map[string]any) { b["name"] = strings.Repeat("张", maxBody/3+1) }), 413, codeTooLarge, ""},
			{"invalid level", "POST", "/v1/units", unit(func(b map[string]any) { b["level"] = "district" }), 400, codeValidation, "level"},
			{"level not below the parent's", "POST", "/v1/units", unit(func(b map[string]any) { b["level"] = "station"; b["parent_id"] = f.workshopA }), 400, codeValidation, "level"},
			{"unknown role", "POST", "/v1/accounts/" + f.pool + "/positions", position(f.stationA, "caseworker", "janitor"), 400, codeValidation, "roles[1]"},
			{"a role twice", "POST", "/v1/accounts/" + f.pool + "/positions", position(f.stationA, "caseworker", "caseworker"), 400, codeValidation, "roles[1]"},
			{"no role", "POST", "/v1/accounts/" + f.pool + "/positions", position(f.stationA), 400, codeValidation, "roles"},
			{"move under itself", "POST", "/v1/units/" + f.stationA + "/move", map[string]any{"parent_id": f.stationA}, 400, codeValidation, "parent_id"},
			{"move under its own subtree", "POST", "/v1/units/" + f.stationA + "/move", map[string]any{"parent_id": f.workshopA}, 400, codeValidation, "parent_id"},
			{"move without parent", "POST", "/v1/units/" + f.workshopA + "/move", map[string]any{}, 400, codeValidation, "parent_id"},
			{"path id not a UUID", "GET", "/v1/units/taiyuan", nil, 400, codeValidation, "id"},
			{"path id without hyphens", "GET", "/v1/units/" + strings.ReplaceAll(f.stationA, "-", ""), nil, 400, codeValidation, "id"},
			{"erase with a numeric id", "POST", "/v1/employees/42/erase", map[string]any{"reason": "x"}, 400, codeValidation, "id"},
			{"position id not a UUID", "POST", "/v1/accounts/" + f.pool + "/positions/first/vacate", nil, 400, codeValidation, "position_id"},
			{"account id not a UUID", "POST", "/v1/accounts/pool/positions", position(f.stationA, "caseworker"), 400, codeValidation, "id"},
			{"body id not a UUID", "POST", "/v1/employees", employee(func(b map[string]any) { b["unit_id"] = "太原站" }), 400, codeValidation, "unit_id"},
			{"empty parent id", "POST", "/v1/units", unit(func(b map[string]any) { b["parent_id"] = "" }), 400, codeValidation, "parent_id"},
			{"ID number checksum", "POST", "/v1/employees", employee(func(b map[string]any) { b["id_number"] = "110105194912310021" }), 400, codeValidation, "id_number"},
			{"future birth date", "POST", "/v1/employees", employee(func(b map[string]any) {
				b["family"] = []map[string]string{{"relation": "child", "name": "张小明", "birth_date": tomorrow}}
			}), 400, codeValidation, "family[0].birth_date"},
			{"impossible birth date", "POST", "/v1/employees", employee(func(b map[string]any) {
				b["family"] = []map[string]string{{"relation": "child", "name": "张小明", "birth_date": "2008-02-30"}}
			}), 400, codeValidation, "family[0].birth_date"},
			{"unknown relation", "POST", "/v1/employees", employee(func(b map[string]any) {
				b["family"] = []map[string]string{{"relation": "cousin", "name": "张小明", "birth_date": "2008-09-01"}}
			}), 400, codeValidation, "family[0].relation"},
			{"short password", "POST", "/v1/accounts", map[string]any{"login": "short.pw", "password": "123", "name": "x"}, 400, codeValidation, "password"},
			{"bad login", "POST", "/v1/accounts", map[string]any{"login": "王 丽", "password": testPassword, "name": "x"}, 400, codeValidation, "login"},
			{"erase without reason", "POST", "/v1/employees/" + f.empA + "/erase", map[string]any{}, 400, codeValidation, "reason"},
			{"negative min_position", "GET", "/v1/units/" + f.stationA + "?min_position=-1", nil, 400, codeValidation, "min_position"},
			{"login with a number", "POST", "/v1/login", map[string]any{"login": 1, "password": "x"}, 400, codeValidation, "login"},
			{"unknown unit", "POST", "/v1/employees", employee(func(b map[string]any) { b["unit_id"] = "00000000-0000-7000-8000-000000000000" }), 404, codeNotFound, ""},
			{"unknown account", "POST", "/v1/accounts/00000000-0000-7000-8000-000000000000/positions", position(f.stationA, "caseworker"), 404, codeNotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.in(t)
				token := f.rootToken()
				if strings.HasPrefix(c.path, "/v1/login") {
					token = ""
				}
				req := s.request(c.method, c.path, token, c.body)
				if c.body == nil {
					req.Header.Del("Content-Type")
				}
				if p := s.refused(c.name, req, c.status, c.code); p.Field != c.field {
					t.Errorf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
			})
		}
		t.Run("wrong content type", func(t *testing.T) {
			s := s.in(t)
			req := s.request(http.MethodPost, "/v1/units", f.rootToken(), unit(func(map[string]any) {}))
			req.Header.Set("Content-Type", "text/plain")
			s.refused("a unit as text/plain", req, http.StatusBadRequest, codeValidation)
		})
	})
}
