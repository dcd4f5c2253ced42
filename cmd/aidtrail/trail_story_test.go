package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/internal/testkit/apptest"
)

// The seed's repeated-aid story, as an auditor follows it: 小姚's trail
// (five claims for a brain tumour and the hardship that followed) sums
// exactly to what the bank paid her, over 100,000 yuan, and each of her
// payments leads to the bank file it left in and the results file that
// settled it, by hashes the history holds.
func TestTheRepeatedAidStoryTrail(t *testing.T) {
	for _, kind := range apptest.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			env, srv := demoOverHTTP(t, kind)
			ctx := t.Context()
			token := login(t, srv.URL, "auditor")

			// The employee with five cases is 小姚.
			history, err := env.Store.ReadAll(ctx, 0, 100_000)
			if err != nil {
				t.Fatal(err)
			}
			cases := map[uuid.UUID]int{}
			var paid int64 // what the bank confirmed to her, from the history
			caseOf := map[string]uuid.UUID{}
			for _, e := range history {
				switch e.Type {
				case casework.TypeCaseOpened:
					var p casework.CaseOpened
					if err := event.Decode(e, &p); err != nil {
						t.Fatal(err)
					}
					cases[p.EmployeeID]++
					caseOf[e.Stream] = p.EmployeeID
				}
			}
			var yao uuid.UUID
			for emp, n := range cases {
				if n == 5 {
					yao = emp
				}
			}
			for _, e := range history {
				if e.Type == casework.TypeCasePaymentConfirmed && caseOf[e.Stream] == yao {
					var p casework.CasePaymentConfirmed
					if err := event.Decode(e, &p); err != nil {
						t.Fatal(err)
					}
					paid += p.AmountFen
				}
			}

			entries := trailOf(t, srv.URL, token, "/v1/employees/"+yao.String()+"/trail")
			var trailPaid int64
			var payments []string
			for _, e := range entries {
				switch e["type"] {
				case casework.TypeCasePaymentConfirmed:
					trailPaid += int64(e["amount_fen"].(float64))
				case payment.TypeInstructed:
					payments = append(payments, strings.TrimPrefix(e["stream"].(string), "payment-"))
				}
			}
			if yao == uuid.Nil || len(payments) != 5 || trailPaid != paid || paid <= 100_000*100 {
				t.Fatalf("小姚's trail: %d payments, paid %d fen; the history paid %d fen", len(payments), trailPaid, paid)
			}

			for _, p := range payments {
				files := map[string]string{}
				for _, e := range trailOf(t, srv.URL, token, "/v1/payments/"+p+"/trail") {
					if docs := e["documents"].([]any); strings.HasPrefix(e["type"].(string), "bank_file.") && len(docs) == 1 {
						files[e["type"].(string)] = docs[0].(string)
					}
				}
				for _, typ := range []string{payment.TypeBankFileExported, payment.TypeBankFileReconciled} {
					sum := files[typ]
					recs, err := env.Store.ReadStream(ctx, payment.BankFileStream(sum), 1)
					if err != nil || len(recs) == 0 || recs[0].Type != typ || !strings.Contains(string(recs[0].Data), p) {
						t.Fatalf("payment %s: %s names file %q; its stream: %v %v", p, typ, sum, recs, err)
					}
				}
			}
		})
	}
}

// trailOf reads every page of a trail.
func trailOf(t *testing.T, base, token, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for range 100 {
		url := base + path + "?limit=200"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items      []map[string]any `json:"items"`
			NextCursor *string          `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == nil {
			return out
		}
		cursor = *page.NextCursor
	}
	t.Fatalf("GET %s: paging did not end", path)
	return nil
}
