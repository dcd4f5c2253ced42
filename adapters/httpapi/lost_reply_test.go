package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/replies"
	"aidtrail/internal/testkit/readmodeltest"
)

// forgetfulReplies stands for a process killed between a command's commit
// and the storing of its answer: the answer is never kept, and the claim
// on the key is gone after the restart.
type forgetfulReplies struct{ Replies }

func (r forgetfulReplies) Complete(ctx context.Context, account uuid.UUID, key string, fingerprint []byte, _ replies.Reply, _ time.Time) error {
	return r.Release(ctx, account, key, fingerprint)
}

// Invariant 4 after a crash: a keyed command whose stored answer was lost
// and that is sent again gets the answer the first run gave (the case or
// payment it created, the position) and has no second effect — through a
// case's whole money path: open, submit, approve, pay.
func TestKeyedRetryAfterALostReplyAnswersAsTheFirstRun(t *testing.T) {
	for _, kind := range []string{"postgres", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := newOrgOverHTTP(t, kind)
			s := f.api
			world := f.cases()
			h, err := NewHandler(Deps{Store: s.env.Store, App: s.env.App, Replies: forgetfulReplies{replies.New(s.env.DB)},
				Query: readmodeltest.Query(t, s.env), ReadModels: s.runner, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			s.h = h
			send := func(path, token, key string, body any) (int, string) {
				req := s.request(http.MethodPost, path, token, body)
				req.Header.Set("Idempotency-Key", key)
				rec := s.serve(req)
				return rec.Code, rec.Body.String()
			}
			twice := func(step, path, token string, body any, want int) string {
				code, first := send(path, token, step, body)
				if code != want {
					t.Fatalf("%s: %d %s, want %d", step, code, first, want)
				}
				head := s.head()
				code, again := send(path, token, step, body)
				if code != want || again != first {
					t.Fatalf("%s sent again after its answer was lost: %d %s; the first run answered %d %s", step, code, again, want, first)
				}
				if s.head() != head {
					t.Fatalf("%s sent again wrote events", step)
				}
				return first
			}
			var opened struct{ ID string }
			if err := json.Unmarshal([]byte(twice("open", "/v1/cases", world.cwRoot, grantBody(f.empB), http.StatusCreated)), &opened); err != nil {
				t.Fatal(err)
			}
			id := opened.ID
			twice("submit", "/v1/cases/"+id+"/submit", world.cwRoot, nil, http.StatusOK)
			twice("approve", "/v1/cases/"+id+"/decisions", world.approverRoot,
				map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen}, http.StatusOK)
			twice("pay", "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": grantFen}, http.StatusCreated)
		})
	}
}
