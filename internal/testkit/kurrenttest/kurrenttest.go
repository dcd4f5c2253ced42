// Package kurrenttest opens the KurrentDB event store for tests: on the
// real server named by KURRENTDB_URL when it is set, otherwise on an
// in-process stand-in (internal/testkit/kurrentstandin). Either way the
// test runs; Target says which, and each test logs it.
package kurrenttest

import (
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/kurrentdb"
	"aidtrail/internal/testkit/kurrentstandin"
)

// EnvURL is the variable naming a real KurrentDB for tests, as a
// kurrentdb:// or esdb:// connection string.
const EnvURL = "KURRENTDB_URL"

// Target is "server" when tests run against the real KurrentDB of
// KURRENTDB_URL and "stand-in" otherwise.
func Target() string {
	if os.Getenv(EnvURL) != "" {
		return "server"
	}
	return "stand-in"
}

// Config is the configuration of a store on a log of its own (a fresh
// stream on the real server, a fresh stand-in otherwise), which it
// returns too (nil on a real server) for tests that inject faults. Tests
// cache up to 2^17 events, enough to hold their whole logs, so that the
// 100,000-event conformance test reads from memory under the race
// detector; the adapter's TestUncachedReads holds reads without the cache
// to the same answers.
func Config(tb testing.TB) (kurrentdb.Config, *kurrentstandin.Server) {
	tb.Helper()
	url := os.Getenv(EnvURL)
	var standin *kurrentstandin.Server
	if url == "" {
		standin = kurrentstandin.Start(tb)
		url = standin.URL()
	}
	return kurrentdb.Config{
		URL:         url,
		Log:         "aidtrail-test-" + uuid.NewString(),
		CacheEvents: 1 << 17,
		MinBackoff:  5 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
	}, standin
}

// Store opens a store on a log of its own (see Config), closed when tb
// ends, and logs whether it stands on the real server or the stand-in.
func Store(tb testing.TB) (*kurrentdb.Store, *kurrentstandin.Server) {
	tb.Helper()
	cfg, standin := Config(tb)
	return Open(tb, cfg), standin
}

// Open opens a store with cfg, closed when tb ends.
func Open(tb testing.TB, cfg kurrentdb.Config) *kurrentdb.Store {
	tb.Helper()
	tb.Logf("KurrentDB event store on the %s", Target())
	s, err := kurrentdb.Open(tb.Context(), cfg)
	if err != nil {
		tb.Fatalf("open the KurrentDB store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
