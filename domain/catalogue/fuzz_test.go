package catalogue

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

// FuzzAmountRule decodes arbitrary JSON as a rule. A rule that decodes and
// validates must answer MaxPayable for any expense without panicking,
// within 0..Ceiling, never less for a larger expense, and must encode back
// to a form that decodes to the same rule.
func FuzzAmountRule(f *testing.F) {
	for _, seed := range []struct {
		rule string
		a, b int64
	}{
		{`{"kind":"fixed","amount_fen":600000}`, 0, 1},
		{`{"kind":"percent_of_expense","percent":50,"cap_fen":4000000}`, 8000000, 8000001},
		{`{"kind":"percent_of_expense","percent":100,"cap_fen":9223372036854775807}`, math.MaxInt64 - 1, math.MaxInt64},
		{`{"kind":"percent_of_expense","percent":7,"cap_fen":9223372036854775807}`, 3, math.MaxInt64},
		{`{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1},{"min_expense_fen":10,"amount_fen":1},{"min_expense_fen":11,"amount_fen":5}]}`, 10, 11},
		{`{"kind":"tiered","tiers":[{"min_expense_fen":9223372036854775807,"amount_fen":9223372036854775807}]}`, 0, math.MaxInt64},
		{`{"kind":"fixed","amount_fen":1.5}`, 0, 0},
		{`{"kind":"tiered","tiers":[]}`, -1, 0},
	} {
		f.Add(seed.rule, seed.a, seed.b)
	}
	f.Fuzz(func(t *testing.T, data string, a, b int64) {
		var r AmountRule
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			var syntax *json.SyntaxError
			if !errors.Is(err, fault.ErrInvalid) && !errors.As(err, &syntax) {
				t.Fatalf("decode error %v is neither fault.ErrInvalid nor a JSON syntax error", err)
			}
			return
		}
		if r.Validate() != nil {
			if _, err := r.MaxPayable(max(a, 0)); !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("MaxPayable of an invalid rule: %v", err)
			}
			return
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back AmountRule
		if err := json.Unmarshal(enc, &back); err != nil || back.Validate() != nil || back.Ceiling() != r.Ceiling() {
			t.Fatalf("re-decoding %s: %v", enc, err)
		}
		if a < 0 {
			if _, err := r.MaxPayable(a); !errors.Is(err, fault.ErrInvalid) {
				t.Fatalf("negative expense %d: %v", a, err)
			}
			a = -(a + 1)
		}
		if b < 0 {
			b = -(b + 1)
		}
		lo, hi := min(a, b), max(a, b)
		pLo, err := r.MaxPayable(lo)
		if err != nil {
			t.Fatal(err)
		}
		pHi, err := r.MaxPayable(hi)
		if err != nil {
			t.Fatal(err)
		}
		if pLo < 0 || pHi > r.Ceiling() || pLo > pHi {
			t.Fatalf("%s: MaxPayable(%d) = %d, MaxPayable(%d) = %d, ceiling %d", enc, lo, pLo, hi, pHi, r.Ceiling())
		}
	})
}

// FuzzLoadStandard feeds arbitrary payloads under valid type names:
// replaying must never panic, may only fail with fault.ErrHistory, and a standard
// it accepts must answer every query and take further decisions without
// panicking.
func FuzzLoadStandard(f *testing.F) {
	def := validDef()
	def.Version = 1
	first, _ := json.Marshal(def)
	def.Version = 2
	second, _ := json.Marshal(def)
	for _, seed := range []struct {
		first string
		typ   uint8
		data  string
	}{
		{string(first), 1, string(second)},
		{string(first), 2, `{"reason":"r"}`},
		{string(first), 0, string(first)},
		{string(first), 1, `{"version":2,"code":"MED-SERIOUS","amount_rule":null}`},
		{`{"code":"MED-SERIOUS","version":1,"amount_rule":{"kind":"tiered","tiers":[null]}}`, 2, `{}`},
		{`null`, 0, `[]`},
	} {
		f.Add(seed.first, seed.typ, seed.data)
	}
	types := StandardEventTypes()
	f.Fuzz(func(t *testing.T, first string, typ uint8, data string) {
		const code = "MED-SERIOUS"
		history := []event.Recorded{
			rec(code, 1, TypeStandardPublished, first),
			rec(code, 2, aggtest.Pick(types, typ), data),
		}
		st, err := LoadStandard(code, history)
		if aggtest.Refused(t, err) {
			return
		}
		cur := st.Current()
		if err := cur.Validate(); err != nil {
			t.Fatalf("loaded an invalid definition: %v", err)
		}
		_, _ = cur.Check(Claim{Beneficiary: BeneficiarySelf, ExpenseFen: math.MaxInt64, RequestedFen: 1, DocumentKinds: cur.RequiredDocuments})
		_, _ = st.Version(2)
		_, _ = st.Retired()
		_ = st.Revise(validDef())
		_ = st.Retire("fuzzed")
	})
}
