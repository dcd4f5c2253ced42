package metrics

import (
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"aidtrail/domain/fault"
)

// Commands are timed by outcome: the client's refusals apart from the
// service's errors, so that an alert on errors does not fire on typos.
func TestCommandOutcomes(t *testing.T) {
	t.Parallel()
	m := New()
	m.CommandDone("OpenCase", 3*time.Millisecond, nil)
	m.CommandDone("OpenCase", time.Millisecond, fmt.Errorf("open: %w", &fault.ValidationError{Field: "requested_fen", Reason: "too much"}))
	m.CommandDone("OpenCase", time.Millisecond, errors.New("disk full"))
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`aidtrail_command_duration_seconds_count{command="OpenCase",outcome="ok"} 1`,
		`aidtrail_command_duration_seconds_count{command="OpenCase",outcome="refused"} 1`,
		`aidtrail_command_duration_seconds_count{command="OpenCase",outcome="error"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
}
