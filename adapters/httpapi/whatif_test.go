package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/whatif"
)

// whatIfBody asks for GRANT with draft over this month at unit.
func whatIfBody(unit string, draft map[string]any) map[string]any {
	month := calendar.Month(time.Now())
	return map[string]any{"standard_code": grantCode, "draft": draft, "from": month, "to": month, "unit_id": unit}
}

// whatIfMatrixRows: POST /v1/analysis/what-if of station A or B, by the
// readers of statistics. The rows name the case and the employee to those
// who read employees, never to the analyst.
func whatIfMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "POST /v1/analysis/what-if", what: "of a unit", perms: []access.Permission{access.PermStatsRead},
			allowed: statsReaders, ok: 200, scopes: inAndOut,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				// One decided case per employee is enough for every
				// actor's replay: a case per cell would use up the
				// times per year the matrix's other rows need.
				employee := pick(sc, f.empA, f.empB)
				if _, done := approvedOnce.LoadOrStore(fixtureEmployee{f.root, employee}, true); !done {
					f.approved(employee)
				}
				return cell{path: "/v1/analysis/what-if", body: whatIfBody(pick(sc, f.stationA, f.stationB),
					map[string]any{"amount_rule": map[string]any{"kind": "fixed", "amount_fen": 2 * grantFen}})}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, a matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				body := jsonBody(t, rec)
				rows := body["rows"].([]any)
				if len(rows) == 0 || body["delta_fen"].(float64) != float64(len(rows)*grantFen) {
					t.Fatalf("a draft paying twice as much: %s", rec.Body)
				}
				_, named := rows[0].(map[string]any)["employee_id"]
				if named != (a.role != access.RoleAnalyst) {
					t.Errorf("%s: the rows name the employee = %v: %s", a.name, named, rec.Body)
				}
			}},
	}
}

// approvedOnce marks the employees (of one fixture, known by its root
// unit: each cell has a copy of the fixture) whose case the what-if rows
// of the matrix have decided.
var approvedOnce sync.Map // fixtureEmployee → true

type fixtureEmployee struct{ root, employee string }

// A what-if writes its record and nothing else; malformed requests are
// 400 naming the member and write nothing; a unit outside the caller's
// subtree is refused, and only the refusal is written. The rows download
// as CSV and XLSX, without case or employee columns for the analyst.
func TestWhatIfOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		f.approved(f.empA)
		root := f.rootToken()
		month := calendar.Month(time.Now())
		raise := map[string]any{"annual_cap_fen": 2_000 * grantFen}
		for _, tt := range []struct {
			name, field string
			body        any
		}{
			{"unknown standard", "standard_code", map[string]any{"standard_code": "NO-SUCH", "draft": raise, "from": month, "to": month}},
			{"no standard", "standard_code", map[string]any{"draft": raise, "from": month, "to": month}},
			{"bad month", "from", map[string]any{"standard_code": grantCode, "draft": raise, "from": "2025-13", "to": month}},
			{"day for month", "to", map[string]any{"standard_code": grantCode, "draft": raise, "from": month, "to": month + "-01"}},
			{"from after to", "to", map[string]any{"standard_code": grantCode, "draft": raise, "from": "2099-02", "to": "2099-01"}},
			{"no draft", "draft", map[string]any{"standard_code": grantCode, "from": month, "to": month}},
			{"draft not an object", "draft", whatIfBody(f.stationA, nil)},
			{"cap of zero", "draft.annual_cap_fen", whatIfBody(f.stationA, map[string]any{"annual_cap_fen": 0})},
			{"cap as text", "draft.annual_cap_fen", whatIfBody(f.stationA, map[string]any{"annual_cap_fen": "1000"})},
			{"unknown rule", "draft.amount_rule.kind", whatIfBody(f.stationA, map[string]any{"amount_rule": map[string]any{"kind": "lottery"}})},
			{"tiers out of order", "draft.amount_rule.tiers[1].min_expense_fen", whatIfBody(f.stationA, map[string]any{"amount_rule": map[string]any{
				"kind": "tiered", "tiers": []map[string]any{{"min_expense_fen": 500, "amount_fen": 1}, {"min_expense_fen": 100, "amount_fen": 2}}}})},
			{"unknown beneficiary", "draft.beneficiaries[0]", whatIfBody(f.stationA, map[string]any{"beneficiaries": []string{"cousin"}})},
			{"code in draft", "draft.code", whatIfBody(f.stationA, map[string]any{"code": "OTHER"})},
			{"null in draft", "draft.budget_line", whatIfBody(f.stationA, map[string]any{"budget_line": nil})},
			{"unknown member", "unit", map[string]any{"standard_code": grantCode, "draft": raise, "from": month, "to": month, "unit": f.stationA}},
			{"unknown unit", "unit_id", whatIfBody(uuid.NewString(), raise)},
			{"malformed unit", "unit_id", whatIfBody("station-a", raise)},
		} {
			before := s.head()
			p := problemOf(t, s.do(http.MethodPost, "/v1/analysis/what-if", root, tt.body), http.StatusBadRequest, codeValidation)
			if p.Field != tt.field {
				t.Errorf("%s: field %q, want %q (%s)", tt.name, p.Field, tt.field, p.Detail)
			}
			if after := s.eventsAfter(before); len(after) != 0 {
				t.Errorf("%s wrote %v", tt.name, types(after))
			}
		}
		before := s.head()
		p := problemOf(t, s.do(http.MethodPost, "/v1/analysis/what-if?format=pdf", root, whatIfBody(f.stationA, raise)), http.StatusBadRequest, codeValidation)
		if after := s.eventsAfter(before); p.Field != "format" || len(after) != 0 {
			t.Errorf("format=pdf: field %q, wrote %v", p.Field, types(after))
		}

		before = s.head()
		problemOf(t, s.do(http.MethodPost, "/v1/analysis/what-if", f.tokens[actorAnalyst], whatIfBody(f.stationB, raise)), http.StatusForbidden, codeForbidden)
		if after := s.eventsAfter(before); len(after) != 1 || after[0].Type != access.TypeAccessDenied {
			t.Errorf("a refusal wrote %v, want its record only", types(after))
		}

		before = s.head()
		body := s.must(http.StatusOK, http.MethodPost, "/v1/analysis/what-if", f.tokens[actorAnalyst], whatIfBody(f.stationA, map[string]any{}))
		after := s.eventsAfter(before)
		if len(after) != 1 || after[0].Type != whatif.TypeAnalysisRun || body["position"].(float64) != float64(after[0].Position) {
			t.Fatalf("a what-if wrote %v, answered %v", types(after), body["position"])
		}
		if after[0].Metadata.ActorAccountID != f.actor(actorAnalyst).AccountID.String() || !strings.Contains(string(after[0].Data), `"from":"`+month) {
			t.Errorf("the record of the run: %+v %s", after[0].Metadata, after[0].Data)
		}
		if body["cases"].(float64) < 1 || body["delta_fen"].(float64) != 0 {
			t.Errorf("the current version replayed: %v", body)
		}

		for _, who := range []string{actorAnalyst, actorAuditor} {
			rec := s.do(http.MethodPost, "/v1/analysis/what-if?format=csv", f.tokens[who], whatIfBody(f.stationA, raise))
			records, err := csv.NewReader(rec.Body).ReadAll()
			if rec.Code != http.StatusOK || err != nil || len(records) < 2 {
				t.Fatalf("%s: csv %d %v %v", who, rec.Code, err, records)
			}
			if named := records[0][0] == "案件"; named != (who == actorAuditor) {
				t.Errorf("%s: the download names cases = %v: %v", who, named, records[0])
			}
		}
		rec := s.do(http.MethodPost, "/v1/analysis/what-if?format=xlsx", root, whatIfBody(f.stationA, raise))
		book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if rec.Code != http.StatusOK || err != nil {
			t.Fatalf("xlsx: %d %v", rec.Code, err)
		}
		defer book.Close()
		rows, err := book.GetRows("Sheet1")
		if err != nil || len(rows) < 2 || rows[0][0] != "案件" {
			t.Errorf("xlsx rows: %v %v", rows, err)
		}
	})
}
