package httpapi

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// A problem's detail speaks of cases, payments and budgets, never of what
// stores them: a refusal by the event store carries none of its words.
func TestProblemDetailsCarryNoStorageWords(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		fmt.Errorf("sqlite: commit: append to %q: %w", "case-1", &event.ConcurrencyError{Stream: "case-1", Expected: event.Exact(3), Actual: 4}),
		fmt.Errorf("sqlite: commit: append to %q: 1 of 1 ids stored: %w", "case-1", event.ErrDuplicateEvent),
		fmt.Errorf("case %s: %w", uuid.New(), commands.ErrNotFound),
	} {
		p, _, _ := problemFor(err)
		for _, word := range []string{"stream", "sqlite", "postgres", "append", "commit", "version", "ids stored"} {
			if strings.Contains(strings.ToLower(p.Detail), word) {
				t.Errorf("%v: detail %q says %q", err, p.Detail, word)
			}
		}
	}
}

// TestProblemMappingOfTheTaxonomy: each error of the domain and the use
// cases, wrapped as callers wrap them, gets its stable code, and the field
// at fault when one is named.
func TestProblemMappingOfTheTaxonomy(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("command: %w", fmt.Errorf("decide: %w", err)) }
	unit := uuid.New()
	cases := []struct {
		name   string
		err    error
		code   string
		status int
		field  string
	}{
		{"forbidden by the use case", wrap(&commands.ForbiddenError{Permission: "org.manage", UnitID: unit.String()}), codeForbidden, 403, ""},
		{"forbidden with a failed record", wrap(errors.Join(&commands.ForbiddenError{Permission: "org.manage"}, errors.New("record refusal: disk"))), codeForbidden, 403, ""},
		{"forbidden by the domain", wrap(&access.ForbiddenError{Permission: access.PermOrgManage, Unit: unit, Reason: "no position"}), codeForbidden, 403, ""},
		{"unauthenticated", wrap(fmt.Errorf("%w: %w: expired", commands.ErrUnauthenticated, commands.ErrSessionInvalid)), codeUnauthenticated, 401, ""},
		{"locked", wrap(&commands.LockedError{Until: time.Now().Add(90 * time.Second)}), codeUnauthenticated, 401, ""},
		{"command validation", wrap(&fault.ValidationError{Field: "id_number", Reason: "bad check digit"}), codeValidation, 400, "id_number"},
		{"org validation", wrap(&fault.ValidationError{Field: "family[1].birth_date", Reason: "future"}), codeValidation, 400, "family[1].birth_date"},
		{"access validation", wrap(&fault.ValidationError{Field: "roles[1]", Reason: "unknown"}), codeValidation, 400, "roles[1]"},
		{"a cycle", wrap(&org.CycleError{Unit: unit, NewParent: unit}), codeValidation, 400, "parent_id"},
		{"request field", wrap(&fieldError{Field: "unit_id", Reason: "must be a UUID"}), codeValidation, 400, "unit_id"},
		{"org invalid state", wrap(org.ErrUnitClosed), codeInvalidState, 409, ""},
		{"not empty", wrap(&org.NotEmptyError{Unit: unit}), codeInvalidState, 409, ""},
		{"erased", wrap(org.ErrErased), codeInvalidState, 409, ""},
		{"access invalid state", wrap(&access.PositionNotActiveError{Account: unit, Position: unit}), codeInvalidState, 409, ""},
		{"code taken", wrap(fmt.Errorf("unit code TYZ: %w: already taken", fault.ErrConflict)), codeConflict, 409, ""},
		{"stale read", wrap(&event.ConcurrencyError{Stream: "unit-1", Expected: event.Exact(1), Actual: 2}), codeConflict, 409, ""},
		{"inconsistent", wrap(fmt.Errorf("%w: child listed twice", org.ErrInconsistent)), codeConflict, 409, ""},
		{"not found", wrap(commands.ErrNotFound), codeNotFound, 404, ""},
		{"position not found", wrap(access.ErrPositionNotFound), codeNotFound, 404, ""},
		// A stream that does not replay is ours, even when a broken rule is its cause.
		{"org history", wrap(&fault.HistoryError{Stream: "unit-1", Err: &fault.ValidationError{Field: "name"}}), codeInternal, 500, ""},
		{"access history", wrap(&fault.HistoryError{Stream: "account-1", Err: fault.ErrInvalid}), codeInternal, 500, ""},
		{"sealed value corrupt", wrap(commands.ErrSealCorrupt), codeInternal, 500, ""},
	}
	for _, c := range cases {
		p, logIt, _ := problemFor(c.err)
		if p.Code != c.code || p.Status != c.status || p.Field != c.field {
			t.Errorf("%s: problemFor = %s %d field %q, want %s %d field %q", c.name, p.Code, p.Status, p.Field, c.code, c.status, c.field)
		}
		if logIt != (c.status >= 500) {
			t.Errorf("%s: logged = %v", c.name, logIt)
		}
	}
}

// A session's end is not told apart from a wrong token, and a lock says
// when it ends.
func TestUnauthenticatedProblemHeaders(t *testing.T) {
	t.Parallel()
	a := &api{log: discardLogger()}
	r := httptest.NewRequest(http.MethodGet, "/v1/units/x", nil)

	expired, unknown := httptest.NewRecorder(), httptest.NewRecorder()
	a.writeError(expired, r, fmt.Errorf("%w: %w: expired at 2024-01-01T00:00:00Z", commands.ErrUnauthenticated, commands.ErrSessionInvalid))
	a.writeError(unknown, r, fmt.Errorf("%w: %w: unknown token", commands.ErrUnauthenticated, commands.ErrSessionInvalid))
	if expired.Body.String() != unknown.Body.String() || expired.Header().Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("expired %s / unknown %s", expired.Body, unknown.Body)
	}

	locked := httptest.NewRecorder()
	a.writeError(locked, r, &commands.LockedError{Until: time.Now().Add(90*time.Second + 300*time.Millisecond)})
	if s, err := strconv.Atoi(locked.Header().Get("Retry-After")); err != nil || s < 90 || s > 91 {
		t.Fatalf("Retry-After %q for a lock ending in 90.3 s", locked.Header().Get("Retry-After"))
	}
	past := httptest.NewRecorder()
	a.writeError(past, r, &commands.LockedError{Until: time.Now().Add(-time.Second)})
	if past.Header().Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q for a lock that just ended, want 1", past.Header().Get("Retry-After"))
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
