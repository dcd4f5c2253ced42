package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
)

// Signing in: a wrong password and an unknown login are refused alike;
// after the login policy's free failures the login is locked, and even the
// right password is refused, with Retry-After, until the lock ends. Other
// logins are not affected.
func TestLoginFailuresLockTheLogin(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		attempt := func(login, password string) *http.Response {
			rec := s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": login, "password": password})
			return rec.Result()
		}

		ok := s.must(http.StatusOK, http.MethodPost, "/v1/login", "", map[string]string{"login": "Worker.A ", "password": testPassword})
		expires, err := time.Parse(time.RFC3339, ok["expires_at"].(string))
		if err != nil || !expires.After(time.Now()) || ok["token"] == "" {
			t.Fatalf("login answered %v", ok)
		}
		if _, err := uuid.Parse(ok["account_id"].(string)); err != nil {
			t.Fatalf("account_id %v", ok["account_id"])
		}

		wrong := s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": "worker.a", "password": "wrong password"})
		unknown := s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": "nobody.here", "password": "wrong password"})
		pw, pu := problemOf(t, wrong, 401, codeUnauthenticated), problemOf(t, unknown, 401, codeUnauthenticated)
		if pw.Detail != pu.Detail || wrong.Header().Get("Retry-After") != "" {
			t.Fatalf("a wrong password (%q) and an unknown login (%q) answer differently", pw.Detail, pu.Detail)
		}

		// One failure is spent above; the last free one locks the login.
		for i := 2; i <= commands.DefaultFreeFailures; i++ {
			res := attempt("worker.a", "wrong password")
			locked := res.Header.Get("Retry-After") != ""
			if res.StatusCode != http.StatusUnauthorized || locked != (i == commands.DefaultFreeFailures) {
				t.Fatalf("failure %d: %d, Retry-After %q", i, res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
		rec := s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": "worker.a", "password": testPassword})
		problemOf(t, rec, http.StatusUnauthorized, codeUnauthenticated)
		retry, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		if err != nil || retry < 1 || retry > int(commands.DefaultLockFor/time.Second)+1 {
			t.Fatalf("the right password on a locked login: Retry-After %q", rec.Header().Get("Retry-After"))
		}
		if rec.Header().Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
		}
		// The lock is the login's alone; the session opened before it lives on.
		s.login(f.logins[actorApprover])
		s.must(http.StatusOK, http.MethodGet, "/v1/units/"+f.stationA, f.tokens[actorCaseworker], nil)
	})
}

// A unit's read answers its version as the ETag, and a command answers the
// position it wrote, which later reads accept as min_position.
func TestUnitVersionAndPosition(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "postgres")
	s := f.api
	path := "/v1/units/" + f.workshopA
	rec := s.do(http.MethodGet, path, f.rootToken(), nil)
	v1 := jsonBody(t, rec)
	if rec.Header().Get("ETag") != `"`+strconv.Itoa(int(v1["version"].(float64)))+`"` {
		t.Fatalf("ETag %q for version %v", rec.Header().Get("ETag"), v1["version"])
	}
	if v1["parent_id"] != f.stationA || len(v1["path"].([]any)) != 2 || v1["level"] != "workshop" {
		t.Fatalf("unit %v", v1)
	}
	written := s.must(http.StatusOK, http.MethodPost, path+"/rename", f.rootToken(), map[string]string{"name": "运转车间"})
	pos := int64(written["position"].(float64))
	if pos != s.head() {
		t.Fatalf("rename answered position %d; the head is %d", pos, s.head())
	}
	rec = s.do(http.MethodGet, path+"?min_position="+strconv.FormatInt(pos, 10), f.rootToken(), nil)
	v2 := jsonBody(t, rec)
	if rec.Code != http.StatusOK || v2["name"] != "运转车间" || v2["version"].(float64) != v1["version"].(float64)+1 {
		t.Fatalf("after the rename: %d %v", rec.Code, v2)
	}
	root := s.must(http.StatusOK, http.MethodGet, "/v1/units/"+f.root, f.rootToken(), nil)
	if _, ok := root["parent_id"]; !ok || root["parent_id"] != nil || len(root["path"].([]any)) != 0 {
		t.Fatalf("the root: %v", root)
	}
	closed := s.do(http.MethodPost, "/v1/units/"+f.stationA+"/close", f.rootToken(), nil)
	problemOf(t, closed, http.StatusConflict, codeInvalidState)
	s.must(http.StatusNotFound, http.MethodGet, "/v1/units/"+uuid.NewString(), f.rootToken(), nil)
	s.must(http.StatusNotFound, http.MethodGet, "/v1/employees/"+uuid.NewString(), f.rootToken(), nil)
	dup := s.do(http.MethodPost, "/v1/units", f.rootToken(), map[string]any{"name": "x", "code": "TYZ", "level": "workshop", "parent_id": f.stationA})
	problemOf(t, dup, http.StatusConflict, codeConflict)
}

// Erasure over HTTP: the fields read back as erased, a second erasure is
// invalid_state.
func TestEraseOverHTTP(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "sqlite")
	s := f.api
	id := f.employee(f.stationB)
	s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+id+"/erase", f.rootToken(), map[string]string{"reason": "本人申请"})
	v := s.must(http.StatusOK, http.MethodGet, "/v1/employees/"+id, f.rootToken(), nil)
	if v["erased"] != true || v["name"] != query.Erased || v["id_number"] != query.Erased || len(v["family"].([]any)) != 0 {
		t.Fatalf("after erasure: %v", v)
	}
	problemOf(t, s.do(http.MethodPost, "/v1/employees/"+id+"/erase", f.rootToken(), map[string]string{"reason": "again"}),
		http.StatusConflict, codeInvalidState)
}

// A burst of wrong passwords sent at once for one login is stopped like
// one sent in turn: each guess takes its slot before its password is
// checked, so no more than the policy's free failures are ever checked
// (each checked failure of a known login is an access.sign_in_failed
// event), the rest are refused as locked, and the right password sent
// just after is refused too.
func TestLoginBurstChecksNoMoreThanTheFreeFailures(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		before := s.head()
		const burst = 30
		var wg sync.WaitGroup
		codes := make(chan int, burst)
		for range burst {
			wg.Go(func() {
				codes <- s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": "worker.a", "password": "wrong password"}).Code
			})
		}
		wg.Wait()
		close(codes)
		for c := range codes {
			if c != http.StatusUnauthorized {
				t.Errorf("a guess of the burst answered %d, want 401", c)
			}
		}
		checked := 0
		for _, e := range s.eventsAfter(before) {
			if e.Type == access.TypeSignInFailed {
				checked++
			}
		}
		if checked > commands.DefaultFreeFailures {
			t.Errorf("%d of %d concurrent guesses were checked; the policy allows %d", checked, burst, commands.DefaultFreeFailures)
		}
		rec := s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": "worker.a", "password": testPassword})
		problemOf(t, rec, http.StatusUnauthorized, codeUnauthenticated)
		if rec.Header().Get("Retry-After") == "" {
			t.Error("the right password after the burst was not refused as locked")
		}
	})
}

// A wrong password for a login that exists and one for a login that does
// not leave the same trace: one access.sign_in_failed each, so that neither
// the history nor the position a later command answers tells a guesser
// which logins exist. The unknown login is not written down in any form.
func TestFailedSignInsOfKnownAndUnknownLoginsLeaveTheSameTrace(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		for _, login := range []string{"worker.a", "no.such.login"} {
			before := s.head()
			problemOf(t, s.do(http.MethodPost, "/v1/login", "", map[string]string{"login": login, "password": "wrong password"}),
				http.StatusUnauthorized, codeUnauthenticated)
			evs := s.eventsAfter(before)
			if len(evs) != 1 || evs[0].Type != access.TypeSignInFailed {
				t.Fatalf("a failed sign-in of %s wrote %v, want one %s", login, evs, access.TypeSignInFailed)
			}
			if strings.Contains(evs[0].Stream, login) || strings.Contains(string(evs[0].Data), login) {
				t.Errorf("the failed sign-in of %s names it: %s %s", login, evs[0].Stream, evs[0].Data)
			}
		}
	})
}
