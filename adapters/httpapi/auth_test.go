package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
)

// expire moves the session of token into the past, as if its time had run
// out: the sessions table is the only place a session's life is kept.
func expire(t *testing.T, env *apptest.Env, token string) {
	t.Helper()
	created, expires := time.Now().Add(-2*time.Hour).UTC(), time.Now().Add(-time.Hour).UTC()
	var c, e any = created, expires
	if env.DB.Dialect() == sqldb.SQLite {
		// The embedded store keeps times as fixed-width RFC 3339 text.
		const layout = "2006-01-02T15:04:05.000000000Z07:00"
		c, e = created.Format(layout), expires.Format(layout)
	}
	res, err := env.DB.Exec(t.Context(), "UPDATE sessions SET created_at = $1, expires_at = $2 WHERE token_hash = $3",
		c, e, commands.HashToken(token))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("expired %d sessions, want 1", n)
	}
}

// TestEveryProtectedRouteNeedsALiveToken walks the route table: every
// route but the public ones answers 401 unauthenticated, with
// WWW-Authenticate: Bearer, to a request without a live token, and writes
// nothing.
func TestEveryProtectedRouteNeedsALiveToken(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		probe := "/v1/units/" + f.stationA

		expired := s.login(f.logins[actorCaseworker])
		s.must(http.StatusOK, http.MethodGet, probe, expired, nil)
		expire(t, s.env, expired)
		problemOf(t, s.do(http.MethodGet, probe, expired, nil), http.StatusUnauthorized, codeUnauthenticated)

		revoked := s.login(f.logins[actorCaseworker])
		s.must(http.StatusOK, http.MethodGet, probe, revoked, nil)
		if rec := s.do(http.MethodPost, "/v1/logout", revoked, nil); rec.Code != http.StatusNoContent {
			t.Fatalf("logout = %d %s", rec.Code, rec.Body)
		}
		// The caseworker's other session lives on.
		s.must(http.StatusOK, http.MethodGet, probe, f.tokens[actorCaseworker], nil)

		unknown, _, err := commands.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		authorizations := map[string]string{
			"no Authorization":        "",
			"another scheme":          "Basic " + "cm9vdC5hZG1pbjpjb3JyZWN0",
			"no token":                "Bearer",
			"an empty token":          "Bearer ",
			"two tokens":              "Bearer " + f.rootToken() + " " + f.rootToken(),
			"not a token68":           "Bearer " + f.rootToken() + "\t",
			"an unknown token":        "Bearer " + unknown,
			"an expired token":        "Bearer " + expired,
			"a revoked token":         "Bearer " + revoked,
			"the spent bootstrap one": "Bearer " + s.env.BootstrapToken,
		}
		a := &api{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		for _, rt := range a.routes() {
			if rt.access == public {
				continue
			}
			path := pathParam.ReplaceAllStringFunc(rt.path, func(string) string { return uuid.NewString() })
			for what, authorization := range authorizations {
				t.Run(rt.method+" "+rt.path+" with "+what, func(t *testing.T) {
					s := s.in(t)
					before := s.head()
					req := s.request(rt.method, path, "", `{}`)
					if authorization != "" {
						req.Header.Set("Authorization", authorization)
					}
					rec := s.serve(req)
					problemOf(t, rec, http.StatusUnauthorized, codeUnauthenticated)
					if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
						t.Errorf("WWW-Authenticate = %q, want Bearer", got)
					}
					if after := s.head(); after != before {
						t.Errorf("an unauthenticated request wrote positions %d..%d", before+1, after)
					}
				})
			}
		}
		// Two Authorization headers are refused as well, even both valid.
		req := s.request(http.MethodGet, probe, f.rootToken(), nil)
		req.Header.Add("Authorization", "Bearer "+f.rootToken())
		problemOf(t, s.serve(req), http.StatusUnauthorized, codeUnauthenticated)
	})
}

// The employee's own account reads their own record in full, and nothing
// else: not another employee of the same unit, not the unit itself.
func TestEmployeeAccountSeesOnlyItself(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "postgres")
	s, me := f.api, f.tokens[actorEmployee]
	own := s.must(http.StatusOK, http.MethodGet, "/v1/employees/"+f.empSelf, me, nil)
	if own["name"] != "张伟" || own["id_number"] != "11010519491231002X" || len(own["masked"].([]any)) != 0 {
		t.Fatalf("the employee's own record: %v", own)
	}
	problemOf(t, s.do(http.MethodGet, "/v1/employees/"+f.empA, me, nil), http.StatusForbidden, codeForbidden)
	problemOf(t, s.do(http.MethodGet, "/v1/units/"+f.stationA, me, nil), http.StatusForbidden, codeForbidden)
}

// Idempotency-Key and X-Correlation-ID reach the events a command writes;
// the correlation id comes back on every answer, generated when absent;
// malformed values of either are 400 and write nothing.
func TestRequestIdentifiers(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "sqlite")
	s := f.api
	rename := func(key, correlation string) (*http.Request, int64) {
		req := s.request(http.MethodPost, "/v1/units/"+f.workshopA+"/rename", f.rootToken(), map[string]string{"name": f.uniq("车间")})
		if key != "" {
			req.Header.Set(headerIdempotencyKey, key)
		}
		if correlation != "" {
			req.Header.Set(headerCorrelationID, correlation)
		}
		return req, s.head()
	}

	req, before := rename("rename-workshop-2024-07-01 #1", "visit-42")
	rec := s.serve(req)
	if rec.Code != http.StatusOK || rec.Header().Get(headerCorrelationID) != "visit-42" {
		t.Fatalf("rename = %d %s, correlation %q", rec.Code, rec.Body, rec.Header().Get(headerCorrelationID))
	}
	for _, e := range s.eventsAfter(before) {
		if e.Metadata.CommandID != "rename-workshop-2024-07-01 #1" || e.Metadata.CorrelationID != "visit-42" {
			t.Errorf("event %s carries command %q, correlation %q", e.Type, e.Metadata.CommandID, e.Metadata.CorrelationID)
		}
	}

	req, before = rename("", "")
	rec = s.serve(req)
	generated := rec.Header().Get(headerCorrelationID)
	if _, err := uuid.Parse(generated); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("rename without identifiers = %d, correlation %q", rec.Code, generated)
	}
	for _, e := range s.eventsAfter(before) {
		if e.Metadata.CommandID == "" || e.Metadata.CorrelationID != generated {
			t.Errorf("event %s carries command %q, correlation %q; want an id and %q", e.Type, e.Metadata.CommandID, e.Metadata.CorrelationID, generated)
		}
	}

	for name, bad := range map[string][2]string{
		"key too long":          {strings.Repeat("k", maxRequestToken+1), ""},
		"key not ASCII":         {"重试-1", ""},
		"correlation too long":  {"", strings.Repeat("c", maxRequestToken+1)},
		"correlation not ASCII": {"", "关联"},
	} {
		req, before := rename(bad[0], bad[1])
		p := problemOf(t, s.serve(req), http.StatusBadRequest, codeValidation)
		if p.Field != headerIdempotencyKey && p.Field != headerCorrelationID {
			t.Errorf("%s: field %q", name, p.Field)
		}
		if s.head() != before {
			t.Errorf("%s: a refused request wrote events", name)
		}
	}
	req, _ = rename(strings.Repeat("k", maxRequestToken), "")
	if rec := s.serve(req); rec.Code != http.StatusOK {
		t.Errorf("a key of %d characters: %d %s", maxRequestToken, rec.Code, rec.Body)
	}
}
