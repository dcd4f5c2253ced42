package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"aidtrail/adapters/replies"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
)

// testAPI is the whole API over a real store (apptest), driven in process.
type testAPI struct {
	t      testing.TB
	env    *apptest.Env
	h      http.Handler
	runner *projections.Runner
}

func newTestAPI(t testing.TB, kind string) *testAPI {
	t.Helper()
	env := apptest.New(t, kind)
	runner := readmodeltest.Start(t, env)
	h, err := NewHandler(Deps{Store: env.Store, App: env.App, Replies: replies.New(env.DB), Query: readmodeltest.Query(t, env),
		ReadModels: runner, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return &testAPI{t: t, env: env, h: h, runner: runner}
}

// in returns s reporting to t, for use inside a subtest or a fuzz target.
func (s *testAPI) in(t testing.TB) *testAPI {
	c := *s
	c.t = t
	return &c
}

// request builds a request. body is sent as is when it is a string or
// []byte, as JSON otherwise, and not at all when nil.
func (s *testAPI) request(method, path, token string, body any) *http.Request {
	s.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequestWithContext(s.t.Context(), method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// serve answers req and holds the answer to the OpenAPI document (see
// conformance).
func (s *testAPI) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	c, err := theConformance()
	if err != nil {
		s.t.Fatalf("the OpenAPI document: %v", err)
	}
	if problem := c.check(req, rec); problem != "" {
		s.t.Errorf("answer off the OpenAPI document: %s", problem)
	}
	return rec
}

func (s *testAPI) do(method, path, token string, body any) *httptest.ResponseRecorder {
	s.t.Helper()
	return s.serve(s.request(method, path, token, body))
}

// must sends a request that has to answer want and returns its JSON body.
func (s *testAPI) must(want int, method, path, token string, body any) map[string]any {
	s.t.Helper()
	rec := s.do(method, path, token, body)
	if rec.Code != want {
		s.t.Fatalf("%s %s = %d %s, want %d", method, path, rec.Code, rec.Body, want)
	}
	return jsonBody(s.t, rec)
}

// create sends a creating request as token and returns the new id.
func (s *testAPI) create(path, token string, body any) string {
	s.t.Helper()
	out := s.must(http.StatusCreated, http.MethodPost, path, token, body)
	id, _ := out["id"].(string)
	if id == "" {
		id, _ = out["position_id"].(string)
	}
	if id == "" {
		s.t.Fatalf("POST %s answered no id: %v", path, out)
	}
	return id
}

// login signs in and returns the bearer token.
func (s *testAPI) login(login string) string {
	s.t.Helper()
	out := s.must(http.StatusOK, http.MethodPost, "/v1/login", "", map[string]string{"login": login, "password": testPassword})
	return out["token"].(string)
}

func (s *testAPI) head() int64 {
	s.t.Helper()
	h, err := s.env.Store.Head(s.t.Context())
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

// eventsAfter returns the events written after position.
func (s *testAPI) eventsAfter(position int64) []event.Recorded {
	s.t.Helper()
	events, err := s.env.Store.ReadAll(s.t.Context(), position, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	return events
}

// everyPage walks the list at path with query's filters, limit items a
// page, and returns every item in order. It fails the test on a page of
// more than limit items, on a short page before the last, and on paging
// that does not end.
func (s *testAPI) everyPage(path, token string, query url.Values, limit int) []map[string]any {
	s.t.Helper()
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(limit))
	var items []map[string]any
	for range 100 {
		page := s.must(http.StatusOK, http.MethodGet, path+"?"+q.Encode(), token, nil)
		got := page["items"].([]any)
		if len(got) > limit {
			s.t.Fatalf("GET %s: a page of %d with limit %d", path, len(got), limit)
		}
		for _, it := range got {
			items = append(items, it.(map[string]any))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			return items
		}
		if len(got) != limit {
			s.t.Fatalf("GET %s: a short page (%d of %d) before the last", path, len(got), limit)
		}
		q.Set("cursor", next)
	}
	s.t.Fatalf("GET %s: paging did not end", path)
	return nil
}

// column returns the string at key of every item.
func column(items []map[string]any, key string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it[key].(string)
	}
	return out
}

// countOf returns how many of events are of type typ.
func countOf(events []event.Recorded, typ string) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// answeredAsTheClients fails t when rec, the answer to what with body, is
// a 5xx, or a refusal that is not a problem: whatever a client sends is
// accepted or refused as the client's.
func answeredAsTheClients(t testing.TB, what string, body []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s %q = %d %s", what, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var p Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" || p.Status != rec.Code {
			t.Fatalf("%s %q = %d with no problem: %s", what, body, rec.Code, rec.Body)
		}
	}
}

const testPassword = "correct horse battery"

func jsonBody(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if rec.Body.Len() == 0 {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return out
}

// refused serves req, which must be refused with status and code and write
// nothing, and returns the problem; what names the request in a failure.
func (s *testAPI) refused(what string, req *http.Request, status int, code string) Problem {
	s.t.Helper()
	before := s.head()
	p := problemOf(s.t, s.serve(req), status, code)
	if after := s.head(); after != before {
		s.t.Errorf("%s: refused, yet wrote %v", what, types(s.eventsAfter(before)))
	}
	return p
}

// deniedOnRecord serves req, which must be refused 403 forbidden with
// nothing written but the record of the refusal; what names the request in
// a failure.
func (s *testAPI) deniedOnRecord(what string, req *http.Request) {
	s.t.Helper()
	before := s.head()
	problemOf(s.t, s.serve(req), http.StatusForbidden, codeForbidden)
	if after := s.eventsAfter(before); len(after) != 1 || after[0].Type != access.TypeAccessDenied {
		s.t.Errorf("%s: refused, yet wrote %v, want only the refusal's record", what, types(after))
	}
}

// problemOf checks rec is a complete problem with status and code, and
// returns it.
func problemOf(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d %s, want %d %s", rec.Code, rec.Body, status, code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem %q: %v", rec.Body, err)
	}
	if p.Code != code || p.Status != status || p.Type != problemTypePrefix+code || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem %+v, want a complete %d %s", p, status, code)
	}
	return p
}

// uniq returns a fresh name with prefix, for codes and logins that must
// not repeat.
func (f *orgOverHTTP) uniq(prefix string) string {
	*f.seq++
	return fmt.Sprintf("%s%d", prefix, *f.seq)
}
