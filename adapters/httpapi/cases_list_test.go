package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"aidtrail/adapters/replies"
	"aidtrail/internal/testkit/readmodeltest"
)

// GET /v1/cases lists, from the case list read model, exactly the cases in
// the caller's subtrees (an employee: their own), filtered and paged, and
// waits for min_position so a command's effect is visible at once.
func TestListCasesOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		w := f.cases()
		s := f.api
		open := func(token, employee string) string {
			return s.create("/v1/cases", token, map[string]any{"employee_id": employee,
				"beneficiary": map[string]any{"relation": "self"}, "standard_code": grantCode,
				"causes": []string{"illness"}, "expense_fen": 0, "requested_fen": grantFen, "description": "list"})
		}
		cw := f.tokens[actorCaseworker]
		inA := []string{open(cw, f.empA), open(cw, f.empA), open(f.tokens[actorEmployee], f.empSelf)}
		inB := []string{open(w.cwRoot, f.empB)}
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+inA[0]+"/submit", cw, nil)
		pos := strconv.FormatInt(s.head(), 10)

		list := func(token, query string) []string {
			t.Helper()
			q, _ := url.ParseQuery(query)
			q.Set("min_position", pos)
			return column(s.everyPage("/v1/cases", token, q, 1), "id")
		}
		same := func(what string, got, want []string) {
			t.Helper()
			slices.Sort(got)
			want = slices.Clone(want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: got %v, want %v", what, got, want)
			}
		}
		same("caseworker at A", list(cw, ""), inA)
		same("root administrator", list(f.rootToken(), ""), append(slices.Clone(inA), inB...))
		same("root administrator, unit B only", list(f.rootToken(), "unit_id="+f.stationB), inB)
		same("caseworker at A asking for B", list(cw, "unit_id="+f.stationB), nil)
		same("in review at A", list(cw, "status=in_review"), inA[:1])
		same("the employee's own", list(f.tokens[actorEmployee], ""), inA[2:])
		same("the employee asking for another's", list(f.tokens[actorEmployee], "employee_id="+f.empA), nil)
		same("opened today", list(cw, "from="+time.Now().UTC().Format(time.DateOnly)), inA)
		same("opened before today", list(cw, "to="+time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)), nil)

		s.deniedOnRecord("the analyst's list", s.request(http.MethodGet, "/v1/cases", f.tokens[actorAnalyst], nil))

		for query, field := range map[string]string{
			"status=nope": "status", "cursor=abc": "cursor", "cursor=0": "cursor", "unit_id=xyz": "unit_id",
			"employee_id=1": "employee_id", "limit=0": "limit", "limit=501": "limit", "from=2026-13-01": "from",
			"to=yesterday": "to", "min_position=-1": "min_position", "status=draft&status=paid": "status",
		} {
			if p := s.refused(query, s.request(http.MethodGet, "/v1/cases?"+query, cw, nil), http.StatusBadRequest, codeValidation); p.Field != field {
				t.Errorf("%s: field %q, want %q", query, p.Field, field)
			}
		}
	})
}

// A read asking for a position the read models have not reached answers
// 503 lagging after the bounded wait.
func TestMinPositionLagging(t *testing.T) {
	t.Parallel()
	s := newTestAPI(t, "sqlite")
	h, err := NewHandler(Deps{Store: s.env.Store, App: s.env.App, Replies: replies.New(s.env.DB), Query: readmodeltest.Query(t, s.env),
		ReadModels: s.runner, MinPositionWait: 100 * time.Millisecond, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	patient := s.h
	s.h = h
	far := strconv.FormatInt(s.head()+1_000_000, 10)
	start := time.Now()
	problemOf(t, s.do(http.MethodGet, "/v1/cases?min_position="+far, s.env.BootstrapToken, nil), http.StatusServiceUnavailable, codeLagging)
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Fatalf("answered lagging after %s, before the wait was over", waited)
	}
	// A read of the event store alone does not wait for the read models:
	// the same far position answers, where waiting would be 503.
	s.must(http.StatusOK, http.MethodGet, "/v1/standards?min_position="+far, s.env.BootstrapToken, nil)
	// A position the read models reach within the usual wait is answered;
	// 100 ms can be too short for that on a loaded machine.
	s.h = patient
	s.must(http.StatusOK, http.MethodGet, "/v1/cases?min_position="+strconv.FormatInt(s.head(), 10), s.env.BootstrapToken, nil)
}
