package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Invariant 4 over HTTP: a retried command with the same Idempotency-Key
// has exactly one effect and gets the first answer; the key reused for
// another request is refused; concurrent retries run the command once.
func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := newOrgOverHTTP(t, kind)
			api, token := f.api, f.tokens[actorRootAdmin]
			post := func(key string, body map[string]any) *http.Response {
				req := api.request(http.MethodPost, "/v1/units", token, body)
				req.Header.Set("Idempotency-Key", key)
				return api.serve(req).Result()
			}
			body := map[string]any{"name": "大同西供电段", "code": f.uniq("DTX"), "level": "station", "parent_id": f.root}

			first := post("create-dtx", body)
			if first.StatusCode != http.StatusCreated {
				t.Fatalf("first request: %d", first.StatusCode)
			}
			firstBody := readAll(t, first)
			head := api.head()
			again := post("create-dtx", body)
			if again.StatusCode != http.StatusCreated || readAll(t, again) != firstBody || again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry: %d %q, want the first answer %q replayed", again.StatusCode, readAll(t, again), firstBody)
			}
			if api.head() != head {
				t.Fatal("the retry wrote events")
			}

			other := body
			other["name"] = "另一个段"
			rec := api.serve(func() *http.Request {
				req := api.request(http.MethodPost, "/v1/units", token, other)
				req.Header.Set("Idempotency-Key", "create-dtx")
				return req
			}())
			problemOf(t, rec, http.StatusUnprocessableEntity, "idempotency_mismatch")

			// Twenty identical requests at once: one unit.
			burst := map[string]any{"name": "太原机务段", "code": f.uniq("TYJW"), "level": "station", "parent_id": f.root}
			head = api.head()
			var wg sync.WaitGroup
			statuses := make(chan int, 20)
			for range 20 {
				wg.Go(func() { statuses <- post("create-tyjw", burst).StatusCode })
			}
			wg.Wait()
			close(statuses)
			created := 0
			for s := range statuses {
				switch s {
				case http.StatusCreated:
					created++
				case http.StatusConflict: // the first was still running
				default:
					t.Fatalf("a concurrent retry answered %d", s)
				}
			}
			if created == 0 {
				t.Fatal("no request of the burst created the unit")
			}
			if units := countOf(api.eventsAfter(head), "unit.established"); units != 1 {
				t.Fatalf("the burst established %d units, want 1", units)
			}
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// If-Match: a command on a unit refuses when the unit moved on since the
// caller read it (409 conflict), and writes nothing.
func TestIfMatchRefusesAStaleView(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "postgres")
	api, token := f.api, f.tokens[actorRootAdmin]
	get := api.do(http.MethodGet, "/v1/units/"+f.stationA, token, nil)
	etag := get.Header().Get("ETag")
	if etag == "" {
		t.Fatal("GET gave no ETag")
	}
	rename := func(name, match string) *httptest.ResponseRecorder {
		req := api.request(http.MethodPost, "/v1/units/"+f.stationA+"/rename", token, map[string]any{"name": name})
		if match != "" {
			req.Header.Set("If-Match", match)
		}
		return api.serve(req)
	}
	if rec := rename("太原车务段", etag); rec.Code != http.StatusOK {
		t.Fatalf("rename with the current ETag: %d %s", rec.Code, rec.Body)
	}
	head := api.head()
	problemOf(t, rename("太原车务段二", etag), http.StatusConflict, "conflict")
	if api.head() != head {
		t.Fatal("a refused If-Match wrote events")
	}
	problemOf(t, rename("x", "not-an-etag"), http.StatusBadRequest, "validation")
	if rec := rename("太原车务段三", "*"); rec.Code != http.StatusOK {
		t.Fatalf("If-Match: * : %d", rec.Code)
	}
}
