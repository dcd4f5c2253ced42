package httpapi

import (
	"log/slog"
	"strings"
	"testing"
)

// testLogger logs to t, so the cause of an unexpected 500 is in the
// failing test's output rather than lost.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
