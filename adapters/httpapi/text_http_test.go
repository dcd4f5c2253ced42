package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// What is not text — NUL, other control characters, invalid UTF-8, in a
// JSON string, a path segment or a query parameter — and a JSON member
// given twice are refused at the edge with 400 validation naming the
// input, on both stores, with or without a token, and nothing is written.
// A path with ".." segments is refused too, rather than redirected.
func TestNotTextIsRefusedAtTheEdge(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		cw := f.cases().cwRoot
		// withOpen is a case's opening body with member sent as value,
		// verbatim.
		withOpen := func(member, value string) string {
			b := grantBody(f.empA)
			delete(b, member)
			body, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSuffix(string(body), "}") + `,"` + member + `":` + value + "}"
		}
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			field                     string
		}{
			{"login with NUL", "POST", "/v1/login", "", `{"login":"admin\u0000","password":"x"}`, "login"},
			{"login given twice", "POST", "/v1/login", "", `{"login":"nosuchuser","password":"x","login":"worker.a"}`, "login"},
			{"NUL in a path segment", "GET", "/v1/standards/a%00b", "", nil, "path"},
			{"invalid UTF-8 in a path segment", "GET", "/v1/standards/%ff%fe", cw, nil, "path"},
			{"NUL in a query parameter", "GET", "/v1/cases?standard_code=%00", cw, nil, "standard_code"},
			{"dot-dot segments", "GET", "/v1/cases/../../etc/passwd", cw, nil, "path"},
			{"dot-dot segments on a command", "POST", "/v1/cases/x/../../units", cw, `{}`, "path"},
			{"NUL in a standard code", "POST", "/v1/cases", cw, withOpen("standard_code", `"X\u0000"`), "standard_code"},
			{"invalid UTF-8 in a cause", "POST", "/v1/cases", cw, withOpen("causes", "[\"\xff\xfe\"]"), "causes"},
			{"NUL in a description", "POST", "/v1/cases", cw, withOpen("description", `"困难\u0000"`), "description"},
			{"requested amount given twice", "POST", "/v1/cases", cw, withOpen("requested_fen", `1,"requested_fen":`+strconv.Itoa(grantFen)), "requested_fen"},
			{"escape sequence in a name", "POST", "/v1/employees", cw, `{"unit_id":"` + f.stationA + `","name":"张\u001b[2J伟"}`, "name"},
		} {
			if p := s.refused(c.name, s.request(c.method, c.path, c.token, c.body), http.StatusBadRequest, codeValidation); p.Field != c.field {
				t.Errorf("%s: field %q, want %q", c.name, p.Field, c.field)
			}
		}
		// Line breaks are text where a member holds prose.
		s.create("/v1/cases", cw, withOpen("description", `"第一行\n第二行"`))
	})
}
