package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/adapters/replies"
	"aidtrail/adapters/seal"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/readmodeltest"
)

// withAuditLog gives f's API an audit log sealed under a fresh key and
// returns its sealer and public key.
func withAuditLog(t *testing.T, f *orgOverHTTP) (*seal.Sealer, string) {
	t.Helper()
	s := f.api
	private, public, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, _, err := seal.ParseKey(private)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(seal.Config{DB: s.env.DB, Log: s.env.Store, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := seal.NewAuditor(s.env.DB, s.env.Store, public)
	if err != nil {
		t.Fatal(err)
	}
	s.h, err = NewHandler(Deps{Store: s.env.Store, App: s.env.App, Replies: replies.New(s.env.DB), Query: readmodeltest.Query(t, s.env),
		ReadModels: s.runner, Logger: testLogger(t), Audit: auditor})
	if err != nil {
		t.Fatal(err)
	}
	return sealer, public
}

func decodeAs[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return v
}

func rootOf(t *testing.T, h *headJSON, verifier note.Verifier) seal.Head {
	t.Helper()
	if h == nil {
		t.Fatal("no head")
	}
	head, err := seal.OpenHead([]byte(h.Signed), verifier)
	if err != nil {
		t.Fatalf("the head does not verify under the public key: %v", err)
	}
	if head.Size != h.Size || base64.StdEncoding.EncodeToString(head.Root[:]) != h.Root || head.LastPosition != h.LastPosition {
		t.Fatalf("the head's fields %+v differ from what it signs %+v", h, head)
	}
	return head
}

// An auditor verifies the history and gets proofs that check with the
// public key alone; staff without audit.read are refused on the record.
func TestAuditorVerifiesAndProves(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		auditor := f.tokens[actorAuditor]
		problemOf(t, s.do(http.MethodGet, "/v1/audit/verify", auditor, nil), http.StatusServiceUnavailable, codeUnavailable)

		sealer, public := withAuditLog(t, f)
		verifier, err := note.NewVerifier(public)
		if err != nil {
			t.Fatal(err)
		}
		saved, err := sealer.Seal(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		f.employee(f.stationA) // more history after the saved head
		if _, err := sealer.Seal(t.Context()); err != nil {
			t.Fatal(err)
		}

		rec := s.do(http.MethodGet, "/v1/audit/verify", auditor, nil)
		v := decodeAs[verifyResponse](t, rec.Body.Bytes())
		if rec.Code != http.StatusOK || !v.OK || v.Events != int64(len(s.eventsAfter(0))) || v.PublicKey != public || v.SealedThrough != s.head() {
			t.Fatalf("verify: %d %s", rec.Code, rec.Body)
		}
		latest := rootOf(t, v.Head, verifier)

		for _, e := range []event.Recorded{s.eventsAfter(0)[0], s.eventsAfter(0)[7]} {
			rec := s.do(http.MethodGet, "/v1/audit/proof?position="+strconv.FormatInt(e.Position, 10), auditor, nil)
			p := decodeAs[proofResponse](t, rec.Body.Bytes())
			head := rootOf(t, p.Head, verifier)
			proof := make(tlog.RecordProof, len(p.Proof))
			for i, h := range p.Proof {
				if proof[i], err = tlog.ParseHash(h); err != nil {
					t.Fatal(err)
				}
			}
			if err := tlog.CheckRecord(proof, head.Size, head.Root, p.Leaf, tlog.RecordHash(event.LeafBytes(e))); err != nil {
				t.Fatalf("inclusion of position %d: %v", e.Position, err)
			}
		}

		rec = s.do(http.MethodGet, "/v1/audit/consistency?from="+strconv.FormatInt(saved.Size, 10), auditor, nil)
		c := decodeAs[consistencyResponse](t, rec.Body.Bytes())
		proof := make(tlog.TreeProof, len(c.Proof))
		for i, h := range c.Proof {
			if proof[i], err = tlog.ParseHash(h); err != nil {
				t.Fatal(err)
			}
		}
		if err := tlog.CheckTree(proof, latest.Size, latest.Root, saved.Size, saved.Root); err != nil {
			t.Fatalf("the latest head does not extend the saved one: %v", err)
		}

		p := s.refused("proof without a position", s.request(http.MethodGet, "/v1/audit/proof", auditor, nil), http.StatusBadRequest, codeValidation)
		if p.Field != "position" {
			t.Errorf("field %q, want position", p.Field)
		}
		s.refused("proof of a position past the head", s.request(http.MethodGet, "/v1/audit/proof?position=999999", auditor, nil),
			http.StatusNotFound, codeNotFound)
		for _, actor := range []string{actorCaseworker, actorApprover, actorEmployee} {
			s.deniedOnRecord(actor+" verifying", s.request(http.MethodGet, "/v1/audit/verify", f.tokens[actor], nil))
		}
	})
}

// auditMatrixRows: the audit log's routes need audit.read at any unit. The
// matrix's API keeps no audit log, so an admitted caller gets as far as
// 503 unavailable; TestAuditorVerifiesAndProves checks the answers.
func auditMatrixRows() []matrixRow {
	readers := []access.Role{access.RoleBureauAdmin, access.RoleAuditor}
	row := func(route, path string) matrixRow {
		return matrixRow{route: route, what: "of the whole history", perms: perms(access.PermAuditRead), allowed: readers,
			ok: http.StatusServiceUnavailable, list: true, scopes: []scope{scopeNone},
			prepare: func(*orgOverHTTP, matrixActor, scope) cell { return cell{path: path} }}
	}
	return []matrixRow{
		row("GET /v1/audit/verify", "/v1/audit/verify"),
		row("GET /v1/audit/proof", "/v1/audit/proof?position=1"),
		row("GET /v1/audit/consistency", "/v1/audit/consistency?from=1"),
	}
}
