package httpapi

import (
	"net/http"
	"testing"
)

// Submitting and withdrawing a case honour If-Match, the case's ETag: a
// caller who saw an older version is refused with 409 conflict and nothing
// is written; the current version, "*" or no If-Match at all go through.
func TestCaseSubmitWithdrawIfMatch(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		cw := f.cases().cwRoot
		s := f.api

		// etag reads the case's ETag, checking it against its version.
		etag := func(id string) string {
			t.Helper()
			rec := s.do(http.MethodGet, "/v1/cases/"+id, cw, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET case: %d %s", rec.Code, rec.Body)
			}
			return rec.Header().Get("ETag")
		}
		// command sends a POST with If-Match (none when ifMatch is "").
		command := func(path, ifMatch string, body any) int {
			t.Helper()
			req := s.request(http.MethodPost, path, cw, body)
			if ifMatch != "" {
				req.Header.Set("If-Match", ifMatch)
			}
			rec := s.serve(req)
			if rec.Code == http.StatusConflict {
				problemOf(t, rec, http.StatusConflict, codeConflict)
			}
			return rec.Code
		}
		// refused checks that a stale If-Match is a conflict that
		// leaves the store, the case's version included, as it was.
		refused := func(path, id, stale string, body any) {
			t.Helper()
			before, version := s.head(), etag(id)
			if code := command(path, stale, body); code != http.StatusConflict {
				t.Fatalf("POST %s with stale If-Match %s = %d, want 409", path, stale, code)
			}
			if after := s.head(); after != before {
				t.Errorf("a stale If-Match wrote %v", types(s.eventsAfter(before)))
			}
			if now := etag(id); now != version {
				t.Errorf("case version %s after a refused command, was %s", now, version)
			}
		}
		statusOf := func(id string) any {
			return s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+id, cw, nil)["status"]
		}

		{ // submit and withdraw with the current ETag
			id := f.grantCase(f.empA)
			opened := etag(id)
			if code := command("/v1/cases/"+id+"/submit", opened, nil); code != http.StatusOK {
				t.Fatalf("submit with the current ETag = %d", code)
			}
			submitted := etag(id)
			if submitted == opened {
				t.Fatalf("submitting left the ETag at %s", opened)
			}
			refused("/v1/cases/"+id+"/withdraw", id, opened, map[string]any{"reason": "stale"})
			refused("/v1/cases/"+id+"/withdraw", id, `W/"999"`, map[string]any{"reason": "future"})
			if code := command("/v1/cases/"+id+"/withdraw", submitted, map[string]any{"reason": "不再需要"}); code != http.StatusOK {
				t.Fatalf("withdraw with the current ETag = %d", code)
			}
			if st := statusOf(id); st != "withdrawn" {
				t.Fatalf("status %v, want withdrawn", st)
			}
		}
		{ // a stale submit, then submit and withdraw without If-Match
			id := f.grantCase(f.empA)
			opened := etag(id)
			body, ct := upload(t, "invoice", tinyPNG(t))
			if rec := s.doAs(http.MethodPost, "/v1/cases/"+id+"/documents", cw, ct, body); rec.Code != http.StatusCreated {
				t.Fatalf("upload: %d %s", rec.Code, rec.Body)
			}
			refused("/v1/cases/"+id+"/submit", id, opened, nil)
			if st := statusOf(id); st != "draft" {
				t.Fatalf("status %v after a refused submit, want draft", st)
			}
			if code := command("/v1/cases/"+id+"/submit", "", nil); code != http.StatusOK {
				t.Fatalf("submit without If-Match = %d", code)
			}
			if code := command("/v1/cases/"+id+"/withdraw", "", nil); code != http.StatusOK {
				t.Fatalf("withdraw without If-Match = %d", code)
			}
			if st := statusOf(id); st != "withdrawn" {
				t.Fatalf("status %v, want withdrawn", st)
			}
		}
		{ // If-Match *
			id := f.grantCase(f.empA)
			if code := command("/v1/cases/"+id+"/submit", "*", nil); code != http.StatusOK {
				t.Fatalf("submit with If-Match * = %d", code)
			}
			if code := command("/v1/cases/"+id+"/withdraw", "*", nil); code != http.StatusOK {
				t.Fatalf("withdraw with If-Match * = %d", code)
			}
		}
		{ // a malformed If-Match
			id := f.grantCase(f.empA)
			for _, path := range []string{"/v1/cases/" + id + "/submit", "/v1/cases/" + id + "/withdraw"} {
				req := s.request(http.MethodPost, path, cw, nil)
				req.Header.Set("If-Match", "yesterday")
				s.refused("POST "+path+" with a malformed If-Match", req, http.StatusBadRequest, codeValidation)
			}
		}
	})
}
