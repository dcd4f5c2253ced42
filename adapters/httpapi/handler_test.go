package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aidtrail/adapters/metrics"
	"aidtrail/adapters/sqlite"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
)

// storeFunc adapts a function to Store.
type storeFunc func(ctx context.Context) (int64, error)

func (f storeFunc) Head(ctx context.Context) (int64, error) { return f(ctx) }

// newTestHandler serves the API with store as the store /readyz and
// /metrics look at, and use cases on an embedded store of their own.
// /readyz gives up after 200 ms, so that tests of a hanging store are
// quick.
func newTestHandler(t *testing.T, store Store) http.Handler {
	t.Helper()
	return newTestHandlerWaiting(t, store, 200*time.Millisecond)
}

// newTestHandlerWaiting is newTestHandler with /readyz giving up after
// readyTimeout.
func newTestHandlerWaiting(t *testing.T, store Store, readyTimeout time.Duration) http.Handler {
	t.Helper()
	return newTestHandlers(t, store, readyTimeout).API
}

// newTestHandlers are the API's and the metrics' handlers over store.
func newTestHandlers(t *testing.T, store Store, readyTimeout time.Duration) Handlers {
	t.Helper()
	env := apptest.New(t, "sqlite")
	h, err := New(Deps{
		Store:        store,
		App:          env.App,
		Query:        readmodeltest.Query(t, env),
		ReadModels:   readmodeltest.Start(t, env),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		ReadyTimeout: readyTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func embeddedStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := t.Context()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "aidtrail.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, path, nil))
	return rec
}

func decodeProblem(t *testing.T, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, rec.Body)
	}
	var p Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", rec.Body, err)
	}
	if p.Status != rec.Code || p.Type != problemTypePrefix+p.Code || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, rec.Code)
	}
	return p
}

func TestNewHandlerRefusesMissingDeps(t *testing.T) {
	t.Parallel()
	_, err := NewHandler(Deps{})
	if err == nil || !strings.Contains(err.Error(), "Store") || !strings.Contains(err.Error(), "Logger") || !strings.Contains(err.Error(), "App") ||
		!strings.Contains(err.Error(), "Query") || !strings.Contains(err.Error(), "ReadModels") {
		t.Fatalf("NewHandler(Deps{}) = %v, want every missing dependency named", err)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	failing := storeFunc(func(context.Context) (int64, error) { return 0, errors.New("down") })
	rec := get(t, newTestHandler(t, failing), http.MethodGet, "/healthz")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
		t.Fatalf("GET /healthz = %d %s, want 200 {\"status\":\"ok\"} even with the store down", rec.Code, rec.Body)
	}
}

func TestReadyzWithEmbeddedStore(t *testing.T) {
	t.Parallel()
	// The production timeout: 200 ms can pass on a loaded machine.
	rec := get(t, newTestHandlerWaiting(t, embeddedStore(t), 2*time.Second), http.MethodGet, "/readyz")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /readyz = %d %s", rec.Code, rec.Body)
	}
}

func TestReadyzUnavailable(t *testing.T) {
	t.Parallel()
	closed, err := sqlite.Open(t.Context(), sqlite.Config{Path: filepath.Join(t.TempDir(), "aidtrail.db")})
	if err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Store{
		"store fails":  storeFunc(func(context.Context) (int64, error) { return 0, errors.New("connection refused") }),
		"store hangs":  storeFunc(func(ctx context.Context) (int64, error) { <-ctx.Done(); return 0, ctx.Err() }),
		"store closed": closed,
	}
	for name, store := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			rec := get(t, newTestHandler(t, store), http.MethodGet, "/readyz")
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("GET /readyz = %d %s, want 503", rec.Code, rec.Body)
			}
			if p := decodeProblem(t, rec); p.Code != codeUnavailable {
				t.Fatalf("code = %q, want %q", p.Code, codeUnavailable)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("readyz took %v; the timeout is 200ms", d)
			}
		})
	}
}

func TestUnknownPathAndWrongMethodAreProblems(t *testing.T) {
	t.Parallel()
	h := newTestHandler(t, embeddedStore(t))

	rec := get(t, h, http.MethodGet, "/v1/nowhere")
	if rec.Code != http.StatusNotFound || decodeProblem(t, rec).Code != codeNotFound {
		t.Fatalf("GET /v1/nowhere = %d %s", rec.Code, rec.Body)
	}
	rec = get(t, h, http.MethodPost, "/healthz")
	if rec.Code != http.StatusMethodNotAllowed || decodeProblem(t, rec).Code != codeMethodNotAllowed {
		t.Fatalf("POST /healthz = %d %s", rec.Code, rec.Body)
	}
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, http.MethodGet) {
		t.Fatalf("Allow = %q, want GET listed", allow)
	}
}

func TestProblemMapping(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err    error
		code   string
		status int
	}{
		{fmt.Errorf("load case: %w", event.ErrNotFound), codeNotFound, 404},
		{fmt.Errorf("append: %w", &event.ConcurrencyError{Stream: "case-1", Expected: 3, Actual: 4}), codeConflict, 409},
		{fmt.Errorf("append: %w", event.ErrDuplicateEvent), codeConflict, 409},
		{fmt.Errorf("append: %w", event.ErrInvalid), codeValidation, 400},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), codeUnavailable, 503},
		{errors.New("disk on fire"), codeInternal, 500},
	}
	for _, c := range cases {
		p, _, _ := problemFor(c.err)
		if p.Code != c.code || p.Status != c.status {
			t.Errorf("problemFor(%v) = %s %d, want %s %d", c.err, p.Code, p.Status, c.code, c.status)
		}
		if c.code == codeInternal && strings.Contains(p.Detail, "disk") {
			t.Errorf("internal detail leaks the error: %q", p.Detail)
		}
	}
}

func TestPanicBecomesInternalProblem(t *testing.T) {
	t.Parallel()
	a := &api{deps: Deps{Store: storeFunc(nil), Metrics: metrics.New()}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	mux.Handle("GET /boom", a.adapt(func(http.ResponseWriter, *http.Request) error { panic("boom") }))
	rec := get(t, a.wrap(mux), http.MethodGet, "/boom")
	if rec.Code != http.StatusInternalServerError || decodeProblem(t, rec).Code != codeInternal {
		t.Fatalf("GET /boom = %d %s", rec.Code, rec.Body)
	}
}

// The metrics count the API's requests, and are served apart from it: the
// API does not answer /metrics, the metrics handler nothing else.
func TestMetricsCountRequests(t *testing.T) {
	t.Parallel()
	hs := newTestHandlers(t, embeddedStore(t), 200*time.Millisecond)
	h := hs.API
	get(t, h, http.MethodGet, "/healthz")
	get(t, h, http.MethodGet, "/nowhere")
	if rec := get(t, h, http.MethodGet, "/metrics"); rec.Code != http.StatusNotFound {
		t.Errorf("the API answers GET /metrics with %d, want 404", rec.Code)
	}
	if rec := get(t, hs.Metrics, http.MethodGet, "/v1/standards"); rec.Code != http.StatusNotFound {
		t.Errorf("the metrics listener answers GET /v1/standards with %d, want 404", rec.Code)
	}
	rec := get(t, hs.Metrics, http.MethodGet, "/metrics")
	body := rec.Body.String()
	for _, want := range []string{
		`aidtrail_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`aidtrail_http_requests_total{method="GET",route="unmatched",status="404"} 2`,
		`aidtrail_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",status="200",le="+Inf"} 1`,
		"\ngo_goroutines ", "\ngo_memstats_heap_alloc_bytes ", "\nprocess_start_time_seconds ",
		"\naidtrail_goroutines ", "\naidtrail_heap_alloc_bytes ",
		`aidtrail_event_store_head_position 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}
