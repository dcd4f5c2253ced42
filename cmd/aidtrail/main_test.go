package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/internal/testkit/pgtest"
)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil,
		{"nonsense"},
		{"serve", "--no-such-flag"},
		{"serve", "extra"},
		{"bench"},
		{"bench", "read"},
	} {
		err := run(t.Context(), args, environment{}, io.Discard, io.Discard)
		if !errors.Is(err, errUsage) {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestInvalidFlagsAreAllReported(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"serve", "--addr", "nowhere", "--log-format", "xml", "--database-url", "mysql://x"}, environment{}, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve with three bad flags succeeded")
	}
	for _, want := range []string{"--addr", "--log-format", "--database-url"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	// AIDTRAIL_DATABASE_URL applies when the flag is absent; the flag wins.
	err = run(t.Context(), []string{"migrate"}, environment{DatabaseURL: "mysql://from-env"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("migrate with a bad AIDTRAIL_DATABASE_URL = %v, want it refused", err)
	}
	err = run(t.Context(), []string{"migrate", "--database-url", "mysql://from-flag"}, environment{DatabaseURL: "postgres://ignored"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Errorf("migrate with a bad --database-url = %v, want it refused", err)
	}
}

// serve --demo loads the demo on the embedded store, prints its logins,
// and they sign in.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	cfg := serveConfig{Addr: "127.0.0.1:0", Demo: true, Store: storeConfig{DataDir: t.TempDir()}}
	cfg.setDefaults(environment{})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	srv, cleanup, err := newServer(t.Context(), cfg, environment{}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	go func() { _ = srv.run(ctx) }()
	if !strings.Contains(logs.String(), "demo login") || !strings.Contains(logs.String(), "login=dqcw-caseworker") {
		t.Fatalf("the demo logins were not printed:\n%s", logs)
	}
	body := strings.NewReader(`{"login":"auditor","password":"aidtrail-demo-2026"}`)
	resp, err := http.Post("http://"+srv.addr()+"/v1/login", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("demo auditor login: %d", resp.StatusCode)
	}
	stop()

	// A second --demo finds the organisation and says it loaded nothing.
	again := &syncBuffer{}
	cfg.Addr = "127.0.0.1:0"
	_, cleanup2, err := newServer(t.Context(), cfg, environment{}, slog.New(slog.NewTextHandler(again, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup2()
	if strings.Contains(again.String(), "demo login") || !strings.Contains(again.String(), "nothing was loaded") {
		t.Fatalf("--demo on a filled store logged:\n%s", again)
	}
}

// A plain serve on an empty store says how to get in.
func TestServeOnAnEmptyStoreSaysHowToGetIn(t *testing.T) {
	t.Parallel()
	cfg := serveConfig{Addr: "127.0.0.1:0", Store: storeConfig{DataDir: t.TempDir()}}
	cfg.setDefaults(environment{})
	logs := &syncBuffer{}
	_, cleanup, err := newServer(t.Context(), cfg, environment{}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, want := range []string{"AIDTRAIL_BOOTSTRAP_TOKEN", "--demo"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the start log does not mention %s:\n%s", want, logs)
		}
	}
}

func TestMigrateEmbeddedCreatesDataDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	for range 2 { // the second run finds the schema current
		if err := run(t.Context(), []string{"migrate", "--data", dir}, environment{}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, embeddedFile)); err != nil {
		t.Fatalf("embedded database not created: %v", err)
	}
}

func TestMigratePostgresFromEnvironment(t *testing.T) {
	t.Parallel()
	url := pgtest.NewSchema(t)
	if err := run(t.Context(), []string{"migrate"}, environment{DatabaseURL: url}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatalf("events table after migrate: %v", err)
	}
}

func TestServeAnswersAndShutsDown(t *testing.T) {
	t.Parallel()
	cfg := serveConfig{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", Store: storeConfig{DataDir: t.TempDir()}}
	cfg.setDefaults(environment{})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	env := environment{BootstrapToken: "first-start-secret"}
	srv, cleanup, err := newServer(t.Context(), cfg, env, log)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()

	// Lists answer from the first request on, before the projections have
	// run at all: their tables are there, empty.
	req := httptest.NewRequest(http.MethodGet, "/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+env.BootstrapToken)
	rec := httptest.NewRecorder()
	srv.http.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/cases before the projections ran = %d %s", rec.Code, rec.Body)
	}

	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.run(ctx) }()

	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + srv.addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || body["status"] != "ok" {
			t.Fatalf("GET %s = %d %v (%v)", path, resp.StatusCode, body, err)
		}
	}

	firstStart(t, "http://"+srv.addr(), env.BootstrapToken)

	// The container health check: ready is exit status 0, anything else not.
	var out bytes.Buffer
	if err := run(t.Context(), []string{"healthcheck", "--url", "http://" + srv.addr() + "/readyz"}, environment{}, &out, io.Discard); err != nil {
		t.Errorf("healthcheck of a ready service: %v", err)
	}
	if err := run(t.Context(), []string{"healthcheck", "--url", "http://" + srv.addr() + "/nowhere"}, environment{}, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck of a 404 passed")
	}

	// Metrics are on their own listener, not the API's, and time the
	// commands the first start decided.
	for base, want := range map[string]int{srv.metricsListener.Addr().String(): http.StatusOK, srv.addr(): http.StatusNotFound} {
		resp, err := http.Get("http://" + base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET http://%s/metrics = %d, want %d", base, resp.StatusCode, want)
		}
		if want == http.StatusOK && !strings.Contains(string(body), `aidtrail_command_duration_seconds_count{command="EstablishUnit",outcome="ok"} 1`) {
			t.Errorf("metrics time no EstablishUnit:\n%s", body)
		}
	}

	stop() // as SIGTERM would
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after stop = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Errorf("logs lack the shutdown:\n%s", logs)
	}
}

var (
	appendRatio = regexp.MustCompile(`(?m)^append/insert c=(\d+) ratio=\d+\.\d\d$`)
	newRatio    = regexp.MustCompile(`(?m)^append-new/insert c=(\d+) ratio=\d+\.\d\d$`)
	readRate    = regexp.MustCompile(`(?m)^read events_per_s=[1-9]\d*$`)
	plainRate   = regexp.MustCompile(`(?m)^plain select rows_per_s=[1-9]\d*\nread/select ratio=\d+\.\d\d$`)
	benchSchema = regexp.MustCompile(`schema (aidtrail_bench_[0-9a-f]+)`)
)

func runShortBench(t *testing.T, extra ...string) string {
	t.Helper()
	var out bytes.Buffer
	args := append([]string{"bench", "append", "--duration", "200ms", "--concurrency", "1,4", "--read-events", "3000"}, extra...)
	if err := run(t.Context(), args, environment{}, &out, io.Discard); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	t.Logf("\n%s", got)
	for name, re := range map[string]*regexp.Regexp{"append/insert": appendRatio, "append-new/insert": newRatio} {
		var cs []string
		for _, m := range re.FindAllStringSubmatch(got, -1) {
			cs = append(cs, m[1])
		}
		if strings.Join(cs, ",") != "1,4" {
			t.Errorf("%s lines for c=%v, want exactly one each for c=1,4", name, cs)
		}
	}
	if len(readRate.FindAllString(got, -1)) != 1 {
		t.Errorf("want exactly one read events_per_s line")
	}
	if len(plainRate.FindAllString(got, -1)) != 1 {
		t.Errorf("want the plain SELECT's rate and the read's ratio to it once")
	}
	return got
}

func TestBenchAppendEmbedded(t *testing.T) {
	t.Parallel()
	out := runShortBench(t)
	if !strings.Contains(out, "store=embedded") {
		t.Errorf("report does not name the embedded store")
	}
}

func TestBenchAppendPostgres(t *testing.T) {
	t.Parallel()
	server := pgtest.ServerURL(t)
	out := runShortBench(t, "--database-url", server)
	m := benchSchema.FindStringSubmatch(out)
	if m == nil {
		t.Fatal("report does not name the benchmark's schema")
	}
	conn, err := pgx.Connect(t.Context(), server)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	var left bool
	if err := conn.QueryRow(t.Context(), "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", m[1]).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Errorf("schema %s left behind", m[1])
	}
}

// firstStart walks the README's first start over HTTP: the bootstrap token
// establishes the root and appoints an administrator, then stops working,
// and the administrator signs in.
func firstStart(t *testing.T, base, bootstrap string) {
	t.Helper()
	call := func(token, method, path string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequestWithContext(t.Context(), method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, resp.StatusCode, out, want)
		}
		return out
	}
	root := call(bootstrap, "POST", "/v1/units", map[string]any{"name": "太原铁路局", "code": "TYJ", "level": "bureau"}, http.StatusCreated)
	account := call(bootstrap, "POST", "/v1/accounts", map[string]any{"login": "admin", "password": "correct horse battery", "name": "王芳"}, http.StatusCreated)
	call(bootstrap, "POST", "/v1/accounts/"+account["id"].(string)+"/positions",
		map[string]any{"unit_id": root["id"], "title": "工会主席", "roles": []string{"bureau_admin"}}, http.StatusCreated)
	call(bootstrap, "GET", "/v1/units/"+root["id"].(string), nil, http.StatusUnauthorized)
	signed := call("", "POST", "/v1/login", map[string]any{"login": "admin", "password": "correct horse battery"}, http.StatusOK)
	unit := call(signed["token"].(string), "GET", "/v1/units/"+root["id"].(string), nil, http.StatusOK)
	if unit["name"] != "太原铁路局" {
		t.Fatalf("the root read back as %v", unit)
	}
}
