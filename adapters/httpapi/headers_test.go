package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"

	"aidtrail/internal/testkit/readmodeltest"
)

// Every answer — data, files, problems, the public routes — carries the
// headers that keep it out of caches and out of frames, and from being
// sniffed: a document outlives no erasure in a client's cache.
func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "sqlite")
	s := f.api
	metrics, err := New(Deps{Store: s.env.Store, App: s.env.App, Query: readmodeltest.Query(t, s.env), ReadModels: s.runner, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	id := f.grantCase(f.empA)
	content := tinyPNG(t)
	body, ct := upload(t, "invoice", content)
	if rec := s.doAs(http.MethodPost, "/v1/cases/"+id+"/documents", f.cases().cwRoot, ct, body); rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	sum := sha256.Sum256(content)
	want := map[string]string{
		"Cache-Control":           "no-store",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
	}
	check := func(path string, rec *httptest.ResponseRecorder) {
		t.Helper()
		for name, value := range want {
			if got := rec.Header().Get(name); got != value {
				t.Errorf("GET %s (%d): %s %q, want %q", path, rec.Code, name, got, value)
			}
		}
	}
	for _, c := range []struct{ path, token string }{
		{"/v1/units/" + f.stationA, f.rootToken()},
		{"/v1/standards", f.rootToken()},
		{"/v1/units/" + f.root + "/flows/medical", f.rootToken()},
		{"/v1/cases/" + id + "/documents/" + hex.EncodeToString(sum[:]), f.cases().cwRoot},
		{"/v1/cases/" + id, ""},
		{"/v1/nowhere", f.rootToken()},
		{"/healthz", ""},
		{"/openapi.json", ""},
	} {
		check(c.path, s.do(http.MethodGet, c.path, c.token, nil))
	}
	rec := httptest.NewRecorder()
	metrics.Metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /metrics = %d", rec.Code)
	}
	check("/metrics", rec)
}
