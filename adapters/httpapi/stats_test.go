package httpapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/access"
)

// statsReaders are the roles that read statistics.
var statsReaders = []access.Role{access.RoleBureauAdmin, access.RoleAuditor, access.RoleAnalyst}

// statsMatrixRows: GET /v1/stats of a named unit, in and out of station A,
// and of the caller's own unit. A refusal is recorded.
func statsMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "GET /v1/stats", what: "of a unit", perms: []access.Permission{access.PermStatsRead}, allowed: statsReaders,
			ok: 200, scopes: inAndOut, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/stats?" + url.Values{"unit_id": {pick(sc, f.stationA, f.stationB)},
					"dimensions": {"unit,category"}}.Encode()}
			}},
		{route: "GET /v1/stats", what: "of the caller's unit", perms: []access.Permission{access.PermStatsRead}, allowed: statsReaders,
			ok: 200, scopes: []scope{scopeNone}, list: true,
			prepare: func(f *orgOverHTTP, _ matrixActor, _ scope) cell {
				f.approved(f.empA)
				f.approved(f.empB)
				return cell{path: "/v1/stats?" + url.Values{"dimensions": {"unit"},
					"min_position": {strconv.FormatInt(f.api.head(), 10)}}.Encode()}
			},
			verify: func(t *testing.T, f *orgOverHTTP, a matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				var units []string
				for _, row := range jsonBody(t, rec)["rows"].([]any) {
					units = append(units, row.(map[string]any)["unit_id"].(string))
				}
				// The root's administrator sees the root's children; the
				// roles at A see A (its employees' cases are filed there).
				if a.atRoot != slices.Contains(units, f.stationB) || !slices.Contains(units, f.stationA) {
					t.Errorf("%s sees the figures of %v: %s", a.name, units, rec.Body)
				}
			}},
	}
}

// GET /v1/stats answers the figures of the caller's subtree, grouped as
// asked, from the statistics read model; malformed parameters are 400
// naming the parameter, and write nothing.
func TestStatsOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		root := f.rootToken()
		for _, tt := range []struct{ query, field string }{
			{"dimensions=unit,employee", "dimensions"},
			{"dimensions=unit&dimensions=month", "dimensions"},
			{"dimensions=unit%3B%20DROP%20TABLE%20rm_stats_cases", "dimensions"},
			{"from=2025-13", "from"},
			{"from=2025-1", "from"},
			{"to=2025-01-31", "to"},
			{"from=2025-05&to=2025-04", "to"},
			{"unit_id=station-a", "unit_id"},
			{"unit_id=" + uuid.NewString(), "unit_id"},
			{"min_position=-1", "min_position"},
		} {
			before := s.head()
			p := problemOf(t, s.do(http.MethodGet, "/v1/stats?"+tt.query, root, nil), http.StatusBadRequest, codeValidation)
			if p.Field != tt.field {
				t.Errorf("%s: field %q, want %q", tt.query, p.Field, tt.field)
			}
			if after := s.eventsAfter(before); len(after) != 0 {
				t.Errorf("%s wrote %v", tt.query, types(after))
			}
		}

		// Two approved grants at A, one of them paid; one at B, in review.
		w := f.cases()
		f.approved(f.empA)
		pid := f.instructed(f.empA)
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+pid+"/confirm", root, map[string]any{"bank_ref": "BOC0001"})
		f.submitted(f.empB)
		_ = w
		at := "&min_position=" + strconv.FormatInt(s.head(), 10)

		rows := func(token, query string) []map[string]any {
			var out []map[string]any
			for _, r := range s.must(http.StatusOK, http.MethodGet, "/v1/stats?"+query+at, token, nil)["rows"].([]any) {
				out = append(out, r.(map[string]any))
			}
			return out
		}
		total := rows(root, "")
		if len(total) != 1 || total[0]["cases"] != 3.0 || total[0]["employees"] != 2.0 ||
			total[0]["approved_fen"] != 2.0*grantFen || total[0]["paid_fen"] != 1.0*grantFen {
			t.Fatalf("totals %v", total)
		}
		byUnit := rows(root, "dimensions=unit,line")
		if len(byUnit) != 2 || byUnit[0]["unit_id"] != f.stationA || byUnit[0]["unit_name"] != "太原站" ||
			byUnit[0]["cases"] != 2.0 || byUnit[0]["budget_line"] != "aid.grant" ||
			byUnit[1]["unit_id"] != f.stationB || byUnit[1]["cases"] != 1.0 || byUnit[1]["approved_fen"] != 0.0 {
			t.Fatalf("by unit %v", byUnit)
		}
		if _, ok := byUnit[0]["month"]; ok {
			t.Errorf("a dimension not asked for is in %v", byUnit[0])
		}
		// The analyst at A sees A's figures only, by default and by name.
		analyst := f.tokens[actorAnalyst]
		for _, query := range []string{"dimensions=unit,cause", "dimensions=unit,cause&unit_id=" + f.stationA} {
			mine := rows(analyst, query)
			if len(mine) != 1 || mine[0]["unit_id"] != f.stationA || mine[0]["cause"] != "illness" || mine[0]["cases"] != 2.0 {
				t.Fatalf("%s: the analyst at A sees %v", query, mine)
			}
		}
		problemOf(t, s.do(http.MethodGet, "/v1/stats?unit_id="+f.root, analyst, nil), http.StatusForbidden, codeForbidden)
	})
}
