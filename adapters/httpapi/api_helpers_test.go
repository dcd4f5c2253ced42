package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aidtrail/adapters/replies"
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
