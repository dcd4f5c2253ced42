package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/payment"
)

// A results file with a row whose payment was settled otherwise since the
// file was made is refused whole: that row is named, and no other payment
// of the file, no case and no budget moves.
func TestReconcileRefusesAFileWithARowSettledMeanwhile(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		ids := []string{f.instructed(f.empA), f.instructed(f.empB), f.instructed(f.empA), f.instructed(f.empB)}
		file := ReconHeader + ids[0] + ",confirmed,BOC001,,2026-11-27\n" + ids[1] + ",failed,,账户冻结,\n" +
			ids[2] + ",confirmed,BOC003,,2026-11-27\n" + ids[3] + ",confirmed,BOC004,,2026-11-27\n"
		// Meanwhile the third payment is confirmed by hand, under another reference.
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+ids[2]+"/confirm", root, map[string]any{"bank_ref": "BOC-HAND"})
		budgetBefore := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+f.cases().budgets["aid.grant"], root, nil)

		before := s.head()
		p := problemOf(t, s.doAs(http.MethodPost, "/v1/payments/reconcile", root, "text/csv", []byte(file)),
			http.StatusUnprocessableEntity, codeValidation)
		if len(p.Errors) != 1 || p.Errors[0].Row != 3 || !strings.Contains(p.Errors[0].Message, ids[2]) {
			t.Fatalf("row errors %+v, want one, on row 3, naming %s", p.Errors, ids[2])
		}
		if after := s.head(); after != before {
			t.Fatalf("a refused file wrote %v", types(s.eventsAfter(before)))
		}
		for i, id := range ids {
			want := "instructed"
			if i == 2 {
				want = "confirmed"
			}
			if v := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+id, root, nil); v["status"] != want {
				t.Errorf("payment %d is %v, want %s", i+1, v["status"], want)
			}
		}
		budgetAfter := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+f.cases().budgets["aid.grant"], root, nil)
		if fmt.Sprint(budgetAfter) != fmt.Sprint(budgetBefore) {
			t.Errorf("budget %v after a refused file, was %v", budgetAfter, budgetBefore)
		}
	})
}

// Twenty imports of one results file at once, half under one
// Idempotency-Key and half each under its own: every payment is settled
// exactly once, every confirmation spends its amount once, and the budget
// holds reserved + spent ≤ allocated with spent the sum of the confirmed
// payments.
func TestReconcileConcurrentImportsSettleOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		budgetID := f.cases().budgets["aid.grant"]
		var ids []string
		for i := range 6 {
			ids = append(ids, f.instructed([]string{f.empA, f.empB}[i%2]))
		}
		file := ReconHeader
		for i, id := range ids {
			if i == 4 {
				file += id + ",failed,,账户已销户,\n"
				continue
			}
			file += fmt.Sprintf("%s,confirmed,BOC%03d,,2026-11-27\n", id, i)
		}

		const imports = 20
		codes := make([]int, imports)
		bodies := make([]string, imports)
		var wg sync.WaitGroup
		for i := range imports {
			req := s.request(http.MethodPost, "/v1/payments/reconcile", root, []byte(file))
			req.Header.Set("Content-Type", "text/csv")
			key := "recon-shared"
			if i%2 == 1 {
				key = fmt.Sprintf("recon-%d", i)
			}
			req.Header.Set("Idempotency-Key", key)
			wg.Go(func() {
				rec := s.serve(req)
				codes[i], bodies[i] = rec.Code, rec.Body.String()
			})
		}
		wg.Wait()
		for i, code := range codes {
			switch {
			case code == http.StatusOK:
			case code == http.StatusConflict && i%2 == 0: // the shared key's first request was still running
			default:
				t.Errorf("import %d: %d %s", i, code, bodies[i])
			}
		}

		var spentByPayments int64
		for i, id := range ids {
			pid := uuid.MustParse(id)
			history, err := s.env.Store.ReadStream(t.Context(), payment.Stream(pid), 1)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{payment.TypeInstructed, payment.TypeConfirmed}
			if i == 4 {
				want[1] = payment.TypeFailed
			}
			if got := types(history); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("payment %d's stream %v, want %v", i+1, got, want)
			}
			v := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+id, root, nil)
			if v["status"] == "confirmed" {
				spentByPayments += int64(v["amount_fen"].(float64))
			}
			c := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+v["case_id"].(string), root, nil)
			history, err = s.env.Store.ReadStream(t.Context(), casework.CaseStream(uuid.MustParse(c["id"].(string))), 1)
			if err != nil {
				t.Fatal(err)
			}
			settled := 0
			for _, e := range history {
				if e.Type == casework.TypeCasePaymentConfirmed || e.Type == casework.TypeCasePaymentFailed {
					settled++
				}
			}
			if settled != 1 {
				t.Errorf("case of payment %d recorded %d settlements, want 1", i+1, settled)
			}
		}
		spends, err := s.env.Store.ReadStream(t.Context(), budget.SpendingStream(uuid.MustParse(budgetID)), 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(spends) != 5 {
			t.Errorf("%d spends %v, want one per confirmed payment, 5", len(spends), types(spends))
		}
		b := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+budgetID, root, nil)
		allocated, reserved, spent := int64(b["allocated_fen"].(float64)), int64(b["reserved_fen"].(float64)), int64(b["spent_fen"].(float64))
		if reserved+spent > allocated || spent != spentByPayments || spent != 5*grantFen || reserved != grantFen {
			t.Fatalf("budget %v: want reserved + spent ≤ allocated, spent = %d (the confirmed payments), reserved = %d (the failed one's)",
				b, spentByPayments, grantFen)
		}
	})
}

// A row the caller may not settle (no budgets.manage at its case's unit)
// refuses the whole file with 403, records the refusal and applies nothing.
func TestReconcileForbiddenRowRefusesTheFile(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		file := ReconHeader + f.instructed(f.empA) + ",confirmed,BOC001,,2026-11-27\n"
		req := s.request(http.MethodPost, "/v1/payments/reconcile", f.tokens[actorApprover], []byte(file))
		req.Header.Set("Content-Type", "text/csv")
		s.deniedOnRecord("a file with a row out of the caller's reach", req)
	})
}
