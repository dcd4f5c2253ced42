package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"aidtrail/internal/testkit/pgtest"
)

// serve --broker postgres forwards to an `aidtrail project` worker in
// another goroutine (as it would be another process): the read models
// catch up with what the API wrote, /readyz says so, and `aidtrail
// rebuild` swaps a read model while the service runs.
func TestServeWithProjectWorker(t *testing.T) {
	t.Parallel()
	url := pgtest.NewSchema(t)
	srv, env := newTestServer(t, serveConfig{Broker: brokerPostgres, Store: storeConfig{DatabaseURL: url}})
	ctx, stop := context.WithCancel(t.Context())
	served, worked := make(chan error, 1), make(chan error, 1)
	go func() { served <- srv.run(ctx) }()
	go func() { worked <- run(ctx, []string{"project", "--database-url", url}, env, io.Discard, io.Discard) }()
	base := "http://" + srv.addr()

	firstStart(t, base, env.BootstrapToken)
	waitReady(t, base)

	var out bytes.Buffer
	if err := run(t.Context(), []string{"rebuild", "units", "--database-url", url}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "projection units rebuilt as generation 2") {
		t.Fatalf("rebuild said %q", out.String())
	}
	waitReady(t, base)

	stop()
	for name, done := range map[string]chan error{"serve": served, "project": worked} {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s did not stop", name)
		}
	}
}

// waitReady polls /readyz until every projection has caught up with the
// store (lag 0), failing after 30 s.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Status      string `json:"status"`
			Projections []struct {
				Name         string `json:"name"`
				Checkpoint   int64  `json:"checkpoint"`
				LagPositions int64  `json:"lag_positions"`
			} `json:"projections"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		caughtUp := err == nil && resp.StatusCode == http.StatusOK && len(body.Projections) > 0
		for _, p := range body.Projections {
			caughtUp = caughtUp && p.LagPositions == 0 && p.Checkpoint > 0
		}
		if caughtUp {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("read models did not catch up: %d %+v (%v)", resp.StatusCode, body, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rebuild on the embedded store needs no server.
func TestRebuildEmbedded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out bytes.Buffer
	// The projection's name before its flags, then after them, as the usage
	// line shows it.
	for gen := 2; gen <= 3; gen++ {
		out.Reset()
		args := []string{"rebuild", "cases", "--data", dir}
		if gen == 3 {
			args = []string{"rebuild", "--data", dir, "cases"}
		}
		if err := run(t.Context(), args, environment{}, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if want := "rebuilt as generation " + string(rune('0'+gen)); !strings.Contains(out.String(), want) {
			t.Fatalf("rebuild said %q, want %q", out.String(), want)
		}
	}
	if err := run(t.Context(), []string{"rebuild", "nonesuch", "--data", dir}, environment{}, &out, io.Discard); err == nil {
		t.Fatal("rebuild of an unknown projection succeeded")
	}
	out.Reset()
	if err := run(t.Context(), []string{"rebuild", "--all", "--data", dir}, environment{}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, name := range names() {
		if !strings.Contains(out.String(), "projection "+name+" rebuilt") {
			t.Errorf("rebuild --all said %q; no word of %s", out.String(), name)
		}
	}
	if err := run(t.Context(), []string{"rebuild", "--all", "cases", "--data", dir}, environment{}, io.Discard, io.Discard); err == nil {
		t.Error("rebuild with --all and a name succeeded")
	}
}

// bench projections runs end to end on a small log and reports every
// figure the issue asks for.
func TestBenchProjectionsSmall(t *testing.T) {
	t.Parallel()
	var out, logs bytes.Buffer
	err := run(t.Context(), []string{"bench", "projections", "--database-url", pgtest.ServerURL(t),
		"--events", "3000", "--lag-duration", "1s", "--rate", "100", "--queries", "16"}, environment{}, &out, &logs)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	for _, want := range []string{"generated events=", "read global order:", "rebuild cases", "rebuild all (one pass)",
		"lag at ", "case list pages", "statistics queries"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
