package payment

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func instructedJSON(id uuid.UUID, amount string) string {
	return `{"payment_id":"` + id.String() + `","case_id":"` + uuid.NewString() + `","employee_id":"` + uuid.NewString() +
		`","budget_id":"` + uuid.NewString() + `","amount_fen":` + amount + `,"bank_account":"sealed"}`
}

func TestLoadPaymentRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	rec := aggtest.Rec
	id := uuid.New()
	s := Stream(id)
	ins := instructedJSON(id, "100")
	conf := `{"bank_ref":"R1","confirmed_at":"2025-06-01"}`
	aggtest.RefusesHistory(t, s, id, LoadPayment, []aggtest.Broken{
		{Name: "first is not instructed", History: []event.Recorded{rec(s, 1, TypeConfirmed, conf)}, Want: fault.ErrHistory},
		{Name: "other payment", History: []event.Recorded{rec(s, 1, TypeInstructed, instructedJSON(uuid.New(), "100"))}, Want: fault.ErrHistory},
		{Name: "zero amount", History: []event.Recorded{rec(s, 1, TypeInstructed, instructedJSON(id, "0"))}, Want: fault.ErrHistory},
		{Name: "nil case", History: []event.Recorded{rec(s, 1, TypeInstructed, `{"payment_id":"`+id.String()+`","amount_fen":1}`)}, Want: fault.ErrHistory},
		{Name: "not json", History: []event.Recorded{rec(s, 1, TypeInstructed, `[`)}, Want: fault.ErrHistory},
		{Name: "instructed twice", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeInstructed, ins)}, Want: fault.ErrHistory},
		{Name: "confirmed twice", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf), rec(s, 3, TypeConfirmed, conf)}, Want: fault.ErrHistory},
		{Name: "confirmed after failed", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeFailed, `{"reason":"x"}`), rec(s, 3, TypeConfirmed, conf)}, Want: fault.ErrHistory},
		{Name: "failed after confirmed", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf), rec(s, 3, TypeFailed, `{"reason":"x"}`)}, Want: fault.ErrHistory},
		{Name: "no bank ref", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, `{}`)}, Want: fault.ErrHistory},
		{Name: "unknown type", History: []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, "payment.cancelled", `{}`)}, Want: fault.ErrHistory},
		{Name: "wrong stream", History: []event.Recorded{rec("payment-x", 1, TypeInstructed, ins)}, Want: fault.ErrHistory},
	})
	if _, err := LoadPayment(id, nil); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("empty: %v", err)
	}
	p, err := LoadPayment(id, []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf)})
	if err != nil || p.Status() != StatusConfirmed || p.BankRef() != "R1" || p.Version() != 2 || p.Changes() != nil {
		t.Fatalf("load: %v %+v", err, p)
	}
	if len(EventTypes()) != 3 {
		t.Fatal(EventTypes())
	}
}

// FuzzParseReconciliation feeds arbitrary files: parsing never panics;
// every data row is either a result or an error, never both nor twice;
// and every result holds valid data.
func FuzzParseReconciliation(f *testing.F) {
	p1 := pid1.String()
	for _, seed := range []string{
		hdr + p1 + ",confirmed,BK001,,2025-06-01\n",
		hdr + p1 + ",failed,,closed,\n" + p1 + ",failed,,closed,\n",
		"\xef\xbb\xbf" + strings.ReplaceAll(hdr, "\n", "\r\n") + p1 + ",confirmed,B,\"a\r\nb\",2025-06-01\r\n",
		hdr + "\"" + p1 + ",failed\n,,x,\n",
		hdr + p1 + ",fai\"led,,r,\n" + p1 + ",confirmed,\"B\"\"1\",,2024-02-29\n",
		"", "\n", "payment_id\n", hdr + "\n\n,,,,\n",
	} {
		f.Add(seed, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, maxRows uint8) {
		results, errs := ParseReconciliation(strings.NewReader(in), int(maxRows%8))
		seen := map[int]bool{}
		ids := map[uuid.UUID]bool{}
		for _, r := range results {
			if r.Row <= 0 || seen[r.Row] {
				t.Fatalf("result row %d is not positive or appears twice", r.Row)
			}
			seen[r.Row] = true
			if r.PaymentID == uuid.Nil || ids[r.PaymentID] {
				t.Fatalf("row %d: payment id nil or repeated", r.Row)
			}
			ids[r.PaymentID] = true
			switch r.Status {
			case StatusConfirmed:
				if CheckBankRef(r.BankRef) != nil || checkDate("confirmed_on", r.ConfirmedOn) != nil || r.Reason != "" {
					t.Fatalf("row %d: invalid confirmed result %+v", r.Row, r)
				}
			case StatusFailed:
				if clean, err := cleanReason(r.Reason); err != nil || clean != r.Reason || r.BankRef != "" || r.ConfirmedOn != "" {
					t.Fatalf("row %d: invalid failed result %+v", r.Row, r)
				}
			default:
				t.Fatalf("row %d: status %q", r.Row, r.Status)
			}
		}
		for _, e := range errs {
			if e.Row < 0 || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
			if e.Row > 0 && seen[e.Row] {
				t.Fatalf("row %d is both a result and an error, or an error twice", e.Row)
			}
			seen[e.Row] = e.Row > 0
		}
		// Rows are numbered without gaps: every number up to the last
		// classified row is classified.
		last := 0
		for r := range seen {
			last = max(last, r)
		}
		for row := 1; row <= last; row++ {
			if !seen[row] {
				t.Fatalf("row %d is neither a result nor an error (last %d)", row, last)
			}
		}
	})
}
