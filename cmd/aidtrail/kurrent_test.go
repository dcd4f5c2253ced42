package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"aidtrail/adapters/keyring"
	"aidtrail/internal/testkit/kurrentstandin"
)

// aidtrail serve --eventstore kurrentdb://... keeps the events in
// KurrentDB (here the stand-in) and the rest in the embedded store: the
// first start's events are written there, and the read models catch up
// from its $all.
func TestServeOnKurrentDB(t *testing.T) {
	t.Parallel()
	node := kurrentstandin.Start(t)
	srv, env := newTestServer(t, serveConfig{Store: storeConfig{DataDir: t.TempDir(),
		EventStore: fmt.Sprintf("kurrentdb://%s:%d?tls=false", node.Host(), node.Port())}})
	ctx, stop := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.run(ctx) }()
	base := "http://" + srv.addr()

	firstStart(t, base, env.BootstrapToken)
	waitReady(t, base)
	stop()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// newTestServer builds the server cfg describes (on a free loopback port,
// with a fresh master key and a bootstrap token in env), stopped when t
// ends.
func newTestServer(t *testing.T, cfg serveConfig) (*server, environment) {
	t.Helper()
	master, err := keyring.NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	env := environment{BootstrapToken: "first-start-secret", MasterKey: base64.StdEncoding.EncodeToString(master)}
	cfg.Addr = "127.0.0.1:0"
	cfg.setDefaults(env)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	srv, cleanup, err := newServer(t.Context(), cfg, env, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return srv, env
}

func TestEventStoreFlagRefusesOtherURLs(t *testing.T) {
	t.Parallel()
	err := storeConfig{EventStore: "postgres://localhost/aidtrail"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "--eventstore") {
		t.Fatalf("Validate() = %v; want the --eventstore flag named", err)
	}
}
