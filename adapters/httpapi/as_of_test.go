package httpapi

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"aidtrail/commands/query"
)

// GET /v1/cases/{id}?as_of= answers the case exactly as it was read live at
// that moment — through opening, a document, submission, a return with
// its reason, resubmission, approval, a payment the bank refused and a
// partial payment it made — by position and by time; before the case was
// opened it is 404, and a malformed as_of is 400. Only the routes that
// look back take as_of; the others refuse it.
func TestCaseAsOfEqualsWhatWasReadLive(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		world := f.cases()
		token := f.rootToken()
		before := s.head()
		id := s.create("/v1/cases", world.cwRoot, grantBody(f.empA))
		type seen struct {
			position int64
			body     string
		}
		var states []seen
		look := func() {
			rec := s.do(http.MethodGet, "/v1/cases/"+id, token, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET the case: %d %s", rec.Code, rec.Body)
			}
			states = append(states, seen{s.head(), rec.Body.String()})
		}
		look()
		s.attach(id, world.cwRoot, "invoice", tinyPNG(t))
		look()
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", world.cwRoot, nil)
		look()
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.tokens[actorApprover],
			map[string]any{"step": "审核", "decision": "return", "reason": "补充材料"})
		look()
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", world.cwRoot, nil)
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.tokens[actorApprover],
			map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen})
		look()
		half := s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", token, map[string]any{"amount_fen": grantFen / 2})
		look()
		// A payment of half that the bank refuses, then one of half it makes.
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+half["payment_id"].(string)+"/fail", token, map[string]any{"reason": "账户冻结"})
		look()
		again := s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", token, map[string]any{"amount_fen": grantFen / 2})
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+again["payment_id"].(string)+"/confirm", token, map[string]any{"bank_ref": "BOC-ASOF-1"})
		look()

		for i, st := range states {
			rec := s.do(http.MethodGet, "/v1/cases/"+id+"?as_of=position:"+strconv.FormatInt(st.position, 10), token, nil)
			if rec.Code != http.StatusOK || rec.Body.String() != st.body {
				t.Errorf("state %d as of position %d:\n got %d %s\nwant %s", i, st.position, rec.Code, rec.Body, st.body)
			}
		}
		// By time: the moment the case was opened.
		var opened time.Time
		for _, e := range s.eventsAfter(before) {
			if e.Type == "case.opened" {
				opened = e.RecordedAt
			}
		}
		rec := s.do(http.MethodGet, "/v1/cases/"+id+"?as_of="+opened.Format(time.RFC3339Nano), token, nil)
		if rec.Code != http.StatusOK || rec.Body.String() != states[0].body {
			t.Errorf("as of the opening's time %s: %d %s, want %s", opened.Format(time.RFC3339Nano), rec.Code, rec.Body, states[0].body)
		}
		problemOf(t, s.do(http.MethodGet, "/v1/cases/"+id+"?as_of=position:"+strconv.FormatInt(before, 10), token, nil), http.StatusNotFound, codeNotFound)
		for _, bad := range []string{"yesterday", "position:0", "position:x"} {
			p := problemOf(t, s.do(http.MethodGet, "/v1/cases/"+id+"?as_of="+bad, token, nil), http.StatusBadRequest, codeValidation)
			if p.Field != "as_of" {
				t.Errorf("as_of=%s: field %q", bad, p.Field)
			}
		}
		problemOf(t, s.do(http.MethodGet, "/v1/units/"+f.stationA+"?as_of=position:1", token, nil), http.StatusBadRequest, codeValidation)
	})
}

// The same for a payment and the budget it is paid from: each read back
// as of a position equals what was read live then.
func TestPaymentAndBudgetAsOfEqualWhatWasReadLive(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		world := f.cases()
		token := f.rootToken()
		budget := "/v1/budgets/" + world.budgets["aid.grant"]
		type seen struct {
			path     string
			position int64
			body     string
		}
		var states []seen
		look := func(paths ...string) {
			for _, p := range paths {
				rec := s.do(http.MethodGet, p, token, nil)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s: %d %s", p, rec.Code, rec.Body)
				}
				states = append(states, seen{p, s.head(), rec.Body.String()})
			}
		}
		look(budget)
		id := f.approved(f.empA)
		look(budget)
		out := s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", token, map[string]any{"amount_fen": grantFen})
		pay := "/v1/payments/" + out["payment_id"].(string)
		look(budget, pay)
		s.must(http.StatusOK, http.MethodPost, pay+"/confirm", token, map[string]any{"bank_ref": "B-20261205-1"})
		look(budget, pay)
		for _, st := range states {
			rec := s.do(http.MethodGet, st.path+"?as_of=position:"+strconv.FormatInt(st.position, 10), token, nil)
			if rec.Code != http.StatusOK || rec.Body.String() != st.body {
				t.Errorf("%s as of position %d:\n got %d %s\nwant %s", st.path, st.position, rec.Code, rec.Body, st.body)
			}
		}
		problemOf(t, s.do(http.MethodGet, pay+"?as_of=position:"+strconv.FormatInt(states[1].position, 10), token, nil), http.StatusNotFound, codeNotFound)
	})
}

// An employee's record as of a moment: not found before registration,
// as registered before the erasure, and its personal fields erased all the
// same once the person's key is gone.
func TestEmployeeAsOf(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, token := f.api, f.rootToken()
		before := s.head()
		emp := f.employee(f.stationA)
		path := "/v1/employees/" + emp
		registered := s.head()
		live := s.do(http.MethodGet, path, token, nil).Body.String()
		if rec := s.do(http.MethodGet, path+"?as_of=position:"+strconv.FormatInt(registered, 10), token, nil); rec.Code != http.StatusOK || rec.Body.String() != live {
			t.Fatalf("as of its registration: %d %s\nwant %s", rec.Code, rec.Body, live)
		}
		problemOf(t, s.do(http.MethodGet, path+"?as_of=position:"+strconv.FormatInt(before, 10), token, nil), http.StatusNotFound, codeNotFound)

		s.must(http.StatusOK, http.MethodPost, path+"/erase", token, map[string]any{"reason": "本人申请删除"})
		then := s.must(http.StatusOK, http.MethodGet, path+"?as_of=position:"+strconv.FormatInt(registered, 10), token, nil)
		if then["version"] != float64(1) || then["erased"] != true || then["name"] != query.Erased {
			t.Fatalf("as of its registration, after the erasure: %v", then)
		}
		if now := s.must(http.StatusOK, http.MethodGet, path, token, nil); now["version"] == then["version"] {
			t.Fatalf("the erasure changed nothing: %v", now)
		}
	})
}
