package httpapi

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aidtrail/commands"
)

// Bad input to the case and payment endpoints is refused with a problem
// naming the input at fault, and nothing is written.
func TestCaseBadInputWritesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		draft := f.grantCase(f.empA)
		review := f.submitted(f.empA)
		pid := f.instructed(f.empA)
		paidCase := f.approved(f.empA)
		open := func(mutate func(map[string]any)) map[string]any {
			b := grantBody(f.empA)
			mutate(b)
			return b
		}
		decide := func(mutate func(map[string]any)) map[string]any {
			b := map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen}
			mutate(b)
			return b
		}
		const anyField = "*" // the field is not checked
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
		}{
			{"open: malformed JSON", "POST", "/v1/cases", `{"employee_id":`, 400, codeValidation, ""},
			{"open: unknown field", "POST", "/v1/cases", open(func(b map[string]any) { b["amount"] = 1 }), 400, codeValidation, "amount"},
			{"open: float money", "POST", "/v1/cases", open(func(b map[string]any) { b["requested_fen"] = 1000.5 }), 400, codeValidation, "requested_fen"},
			{"open: money as a string", "POST", "/v1/cases", open(func(b map[string]any) { b["requested_fen"] = "1000" }), 400, codeValidation, "requested_fen"},
			{"open: negative amount", "POST", "/v1/cases", open(func(b map[string]any) { b["requested_fen"] = -1 }), 400, codeValidation, anyField},
			{"open: employee not a UUID", "POST", "/v1/cases", open(func(b map[string]any) { b["employee_id"] = "张伟" }), 400, codeValidation, "employee_id"},
			{"open: unknown relation", "POST", "/v1/cases", open(func(b map[string]any) { b["beneficiary"] = map[string]any{"relation": "cousin", "name": "张三"} }), 400, codeValidation, anyField},
			{"open: no description", "POST", "/v1/cases", open(func(b map[string]any) { delete(b, "description") }), 400, codeValidation, "description"},
			{"open: unknown employee", "POST", "/v1/cases", open(func(b map[string]any) { b["employee_id"] = "00000000-0000-7000-8000-000000000000" }), 404, codeNotFound, ""},
			{"submit: id not a UUID", "POST", "/v1/cases/42/submit", nil, 400, codeValidation, "id"},
			{"submit: a body", "POST", "/v1/cases/" + draft + "/submit", `{"now":true}`, 400, codeValidation, "now"},
			{"submit: unknown case", "POST", "/v1/cases/00000000-0000-7000-8000-000000000000/submit", nil, 404, codeNotFound, ""},
			{"get: id not a UUID", "GET", "/v1/cases/case-1", nil, 400, codeValidation, "id"},
			{"decide: unknown decision", "POST", "/v1/cases/" + review + "/decisions", decide(func(b map[string]any) { b["decision"] = "maybe" }), 400, codeValidation, "decision"},
			{"decide: float amount", "POST", "/v1/cases/" + review + "/decisions", decide(func(b map[string]any) { b["amount_fen"] = 0.5 }), 400, codeValidation, "amount_fen"},
			{"decide: negative amount", "POST", "/v1/cases/" + review + "/decisions", decide(func(b map[string]any) { b["amount_fen"] = -5 }), 400, codeValidation, "amount_fen"},
			{"decide: unknown field", "POST", "/v1/cases/" + review + "/decisions", decide(func(b map[string]any) { b["by"] = "me" }), 400, codeValidation, "by"},
			{"decide: bad If-Match", "POST", "/v1/cases/" + review + "/decisions", decide(func(map[string]any) {}), 400, codeValidation, ""},
			{"decide: id not a UUID", "POST", "/v1/cases/x/decisions", decide(func(map[string]any) {}), 400, codeValidation, "id"},
			{"withdraw: unknown field", "POST", "/v1/cases/" + draft + "/withdraw", `{"why":"x"}`, 400, codeValidation, "why"},
			{"pay: negative amount", "POST", "/v1/cases/" + paidCase + "/payments", map[string]any{"amount_fen": -1}, 400, codeValidation, anyField},
			{"pay: float amount", "POST", "/v1/cases/" + paidCase + "/payments", map[string]any{"amount_fen": 1.5}, 400, codeValidation, "amount_fen"},
			{"pay: a draft case", "POST", "/v1/cases/" + draft + "/payments", map[string]any{"amount_fen": 1}, 409, codeInvalidState, ""},
			{"pay: id not a UUID", "POST", "/v1/cases/1/payments", map[string]any{"amount_fen": 1}, 400, codeValidation, "id"},
			{"confirm: bad date", "POST", "/v1/payments/" + pid + "/confirm", map[string]any{"bank_ref": "BOC1", "confirmed_on": "27/11/2026"}, 400, codeValidation, "confirmed_on"},
			{"confirm: unknown field", "POST", "/v1/payments/" + pid + "/confirm", map[string]any{"bank_ref": "BOC1", "amount_fen": 1}, 400, codeValidation, "amount_fen"},
			{"confirm: id not a UUID", "POST", "/v1/payments/p1/confirm", map[string]any{"bank_ref": "BOC1"}, 400, codeValidation, "id"},
			{"fail: malformed JSON", "POST", "/v1/payments/" + pid + "/fail", `{"reason"`, 400, codeValidation, ""},
			{"get payment: id not a UUID", "GET", "/v1/payments/p1", nil, 400, codeValidation, "id"},
			{"get payment: unknown", "GET", "/v1/payments/00000000-0000-7000-8000-000000000000", nil, 404, codeNotFound, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := s.in(t)
				token := f.rootToken()
				if strings.HasPrefix(c.name, "open") || strings.HasPrefix(c.name, "submit") || strings.HasPrefix(c.name, "withdraw") {
					token = f.tokens[actorCaseworker]
				} else if strings.HasPrefix(c.name, "decide") {
					token = f.tokens[actorApprover]
				}
				req := s.request(c.method, c.path, token, c.body)
				if c.body == nil {
					req.Header.Del("Content-Type")
				}
				if strings.Contains(c.name, "If-Match") {
					req.Header.Set("If-Match", "yesterday")
				}
				if p := s.refused(c.name, req, c.status, c.code); c.field != anyField && p.Field != c.field {
					t.Errorf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
				}
			})
		}
		uploads := []struct {
			name        string
			body        func() ([]byte, string)
			status      int
			code, field string
		}{
			{"oversized file", func() ([]byte, string) {
				return upload(t, "invoice", append(tinyPNG(t), make([]byte, commands.MaxDocumentSize)...))
			}, 413, codeTooLarge, ""},
			{"oversized request", func() ([]byte, string) {
				b, ct := upload(t, "invoice", tinyPNG(t))
				return append(bytes.Repeat([]byte("preamble\r\n"), maxUpload/10+1), b...), ct
			}, 413, codeTooLarge, ""},
			{"a text file", func() ([]byte, string) { return upload(t, "invoice", []byte("just words, not a scan")) }, 400, codeValidation, "file"},
			{"an empty file", func() ([]byte, string) { return upload(t, "invoice", nil) }, 400, codeValidation, "file"},
			{"no file", func() ([]byte, string) {
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				_ = mw.WriteField("kind", "invoice")
				_ = mw.Close()
				return b.Bytes(), mw.FormDataContentType()
			}, 400, codeValidation, "file"},
			{"JSON instead of a form", func() ([]byte, string) { return []byte(`{"kind":"invoice"}`), "application/json" }, 400, codeValidation, ""},
		}
		for _, u := range uploads {
			t.Run("upload: "+u.name, func(t *testing.T) {
				s := s.in(t)
				body, ct := u.body()
				req := s.request(http.MethodPost, "/v1/cases/"+draft+"/documents", f.tokens[actorCaseworker], body)
				req.Header.Set("Content-Type", ct)
				if p := s.refused(u.name, req, u.status, u.code); u.field != "" && p.Field != u.field {
					t.Errorf("field %q, want %q (%s)", p.Field, u.field, p.Detail)
				}
			})
		}
		t.Run("upload to a case id that is not a UUID", func(t *testing.T) {
			body, ct := upload(t, "invoice", tinyPNG(t))
			problemOf(t, s.in(t).doAs(http.MethodPost, "/v1/cases/abc/documents", f.tokens[actorCaseworker], ct, body), 400, codeValidation)
		})
	})
}

// A results file with one bad row among good ones applies nothing and
// lists every bad row; the same file corrected applies every row, and
// applying it again changes nothing.
func TestReconcileAllOrNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		p1, p2, p3 := f.instructed(f.empA), f.instructed(f.empB), f.instructed(f.empA)
		confirmed := f.instructed(f.empA)
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+confirmed+"/confirm", f.rootToken(), map[string]any{"bank_ref": "BOC-OLD"})
		good := ReconHeader + p1 + ",confirmed,BOC001,,2026-11-27\n" + p2 + ",failed,,账户冻结,\n" + p3 + ",confirmed,BOC003,,2026-11-27\n"
		reconcile := func(csv string) *httptest.ResponseRecorder {
			return s.doAs(http.MethodPost, "/v1/payments/reconcile", f.rootToken(), "text/csv", []byte(csv))
		}
		for name, bad := range map[string]string{
			"an unknown payment":     good + "00000000-0000-7000-8000-000000000000,confirmed,BOC9,,2026-11-27\n",
			"a malformed row":        good + "not-a-uuid,confirmed,,,\n",
			"a confirmed payment":    good + confirmed + ",confirmed,BOC-NEW,,2026-11-27\n",
			"a payment twice":        good + p1 + ",failed,,x,\n",
			"a failure of a confirm": good + confirmed + ",failed,,退票,\n",
		} {
			t.Run(name, func(t *testing.T) {
				before := s.head()
				rec := reconcile(bad)
				p := problemOf(t, rec, http.StatusUnprocessableEntity, codeValidation)
				if len(p.Errors) != 1 || p.Errors[0].Row != 4 {
					t.Errorf("row errors %+v, want one, on row 4", p.Errors)
				}
				if s.head() != before {
					t.Errorf("a refused file wrote %v", types(s.eventsAfter(before)))
				}
			})
		}
		problemOf(t, s.doAs(http.MethodPost, "/v1/payments/reconcile", f.rootToken(), "application/json", []byte(good)), 400, codeValidation)
		problemOf(t, reconcile("payment_id,status\n"), http.StatusUnprocessableEntity, codeValidation)

		out := jsonBody(t, reconcile(good))
		if out["applied"] != float64(3) || len(out["errors"].([]any)) != 0 {
			t.Fatalf("reconcile: %v", out)
		}
		before := s.head()
		if again := jsonBody(t, reconcile(good)); again["applied"] != float64(3) || s.head() != before {
			t.Fatalf("the same file again: %v, wrote %v", again, types(s.eventsAfter(before)))
		}
		for id, status := range map[string]string{p1: "confirmed", p2: "failed", p3: "confirmed"} {
			if v := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+id, f.rootToken(), nil); v["status"] != status {
				t.Errorf("payment %s: %v, want %s", id, v, status)
			}
		}
	})
}

// ReconHeader is the bank results file's header line.
const ReconHeader = "payment_id,status,bank_ref,reason,confirmed_on\n"

// FuzzReconcileUpload posts arbitrary results files to POST
// /v1/payments/reconcile as the root's administrator: the answer is never
// a 5xx, and a refusal is always a problem.
func FuzzReconcileUpload(f *testing.F) {
	org := newOrgOverHTTP(f, "sqlite")
	s := org.api
	pid := org.instructed(org.empA)
	for _, seed := range []string{
		ReconHeader + pid + ",confirmed,BOC1,,2026-11-27\n",
		ReconHeader + pid + ",failed,,退票,\n",
		"\xef\xbb\xbf" + ReconHeader + pid + ",confirmed,=cmd|' /C calc'!A0,,2026-11-27\r\n",
		ReconHeader + "\"unterminated,confirmed\n",
		ReconHeader + "00000000-0000-7000-8000-000000000000,confirmed,BOC1,,2026-02-30\n",
		"", "\x00\xff", ReconHeader + strings.Repeat(",", 300),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := s.in(t).doAs(http.MethodPost, "/v1/payments/reconcile", org.rootToken(), "text/csv", body)
		answeredAsTheClients(t, "reconcile", body, rec)
	})
}
