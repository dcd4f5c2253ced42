package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections/casegen"
)

// When the self-check finds that a projection's applied events disagree
// with the log, /readyz answers 503 naming the projection and the event
// type, and /metrics counts the mismatch; while they agree, both say so.
func TestReadyzAndMetricsReportCountMismatch(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		env := apptest.New(t, kind)
		if _, err := casegen.New(5, 2, 3).Write(t.Context(), env.Store, 4); err != nil {
			t.Fatal(err)
		}
		runner := readmodeltest.Start(t, env)
		readmodeltest.CaughtUp(t, env, runner)
		hs, err := New(Deps{Store: env.Store, App: env.App, Query: readmodeltest.Query(t, env), ReadModels: runner,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ReadyTimeout: 5 * time.Second, MaxLag: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		h := hs.API
		if err := runner.CheckCounts(t.Context()); err != nil {
			t.Fatal(err)
		}
		if rec := get(t, h, http.MethodGet, "/readyz"); rec.Code != http.StatusOK {
			t.Fatalf("GET /readyz while counts agree = %d %s", rec.Code, rec.Body)
		}
		if body := get(t, hs.Metrics, http.MethodGet, "/metrics").Body.String(); !strings.Contains(body, `aidtrail_projection_count_mismatches{projection="cases"} 0`) {
			t.Fatalf("metrics lack a zero count of mismatches for cases:\n%s", body)
		}

		// As if one case.opened had never reached the case list.
		if _, err := env.DB.Exec(t.Context(), `UPDATE projection_event_counts SET events = events - 1
				WHERE checkpoint LIKE 'cases#%' AND type = 'case.opened'`); err != nil {
			t.Fatal(err)
		}
		if err := runner.CheckCounts(t.Context()); err != nil {
			t.Fatal(err)
		}
		rec := get(t, h, http.MethodGet, "/readyz")
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"name":"cases"`) ||
			!strings.Contains(rec.Body.String(), "case.opened") {
			t.Fatalf("GET /readyz with a lost case.opened = %d %s, want 503 naming cases and case.opened", rec.Code, rec.Body)
		}
		if body := get(t, hs.Metrics, http.MethodGet, "/metrics").Body.String(); !strings.Contains(body, `aidtrail_projection_count_mismatches{projection="cases"} 1`) {
			t.Fatalf("metrics lack the mismatch of cases:\n%s", body)
		}
	})
}
