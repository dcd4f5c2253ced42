package catalogue

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"aidtrail/domain/fault"
)

func TestAmountRuleValidate(t *testing.T) {
	t.Parallel()
	tiers := func(ts ...int64) AmountRule {
		var out []Tier
		for i := 0; i < len(ts); i += 2 {
			out = append(out, Tier{MinExpenseFen: ts[i], AmountFen: ts[i+1]})
		}
		return TieredRule(out...)
	}
	many := make([]int64, 0, 2*(MaxTiers+1))
	for i := range MaxTiers + 1 {
		many = append(many, int64(i)*100, 100)
	}
	tests := []struct {
		name  string
		rule  AmountRule
		field string // "" when valid
	}{
		{"fixed", FixedRule(600000), ""},
		{"fixed zero", FixedRule(0), "amount_rule.amount_fen"},
		{"fixed negative", FixedRule(-1), "amount_rule.amount_fen"},
		{"percent 1", PercentRule(1, 1), ""},
		{"percent 100", PercentRule(100, math.MaxInt64), ""},
		{"percent 0", PercentRule(0, 100), "amount_rule.percent"},
		{"percent 101", PercentRule(101, 100), "amount_rule.percent"},
		{"percent cap 0", PercentRule(50, 0), "amount_rule.cap_fen"},
		{"tiered one", tiers(0, 100), ""},
		{"tiered equal amounts", tiers(0, 100, 10, 100, 20, 300), ""},
		{"tiered none", TieredRule(), "amount_rule.tiers"},
		{"tiered too many", tiers(many...), "amount_rule.tiers"},
		{"tiered max", tiers(many[:2*MaxTiers]...), ""},
		{"tiered negative start", tiers(-1, 100), "amount_rule.tiers[0].min_expense_fen"},
		{"tiered equal mins", tiers(0, 100, 0, 200), "amount_rule.tiers[1].min_expense_fen"},
		{"tiered decreasing mins", tiers(10, 100, 5, 200), "amount_rule.tiers[1].min_expense_fen"},
		{"tiered zero amount", tiers(0, 100, 10, 0), "amount_rule.tiers[1].amount_fen"},
		{"tiered decreasing amounts", tiers(0, 200, 10, 100), "amount_rule.tiers[1].amount_fen"},
		{"zero value", AmountRule{}, "amount_rule.kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkField(t, tt.rule.Validate(), tt.field)
		})
	}
}

// checkField fails unless err is nil when field is "", and otherwise a
// *fault.ValidationError on field matching fault.ErrInvalid.
func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var ve *fault.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, fault.ErrInvalid) || ve.Field != field {
		t.Fatalf("error %v, want a validation error on %s", err, field)
	}
}

func TestAmountRuleJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		field    string // "" when it decodes
		out      string // re-encoded form, when it decodes
	}{
		{"fixed", `{"kind":"fixed","amount_fen":600000}`, "", `{"kind":"fixed","amount_fen":600000}`},
		{"percent", `{"percent":50,"kind":"percent_of_expense","cap_fen":4000000}`, "", `{"kind":"percent_of_expense","percent":50,"cap_fen":4000000}`},
		{"tiered", `{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1},{"amount_fen":2,"min_expense_fen":5}]}`, "", `{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1},{"min_expense_fen":5,"amount_fen":2}]}`},
		{"empty tiers decode, fail Validate", `{"kind":"tiered","tiers":[]}`, "", `{"kind":"tiered","tiers":[]}`},
		{"unknown kind", `{"kind":"lottery","amount_fen":1}`, "amount_rule.kind", ""},
		{"kind missing", `{"amount_fen":1}`, "amount_rule.kind", ""},
		{"kind not a string", `{"kind":1}`, "amount_rule.kind", ""},
		{"field of another kind", `{"kind":"fixed","amount_fen":1,"cap_fen":2}`, "amount_rule.cap_fen", ""},
		{"unknown field", `{"kind":"fixed","amount_fen":1,"note":"x"}`, "amount_rule.note", ""},
		{"wrong case field", `{"kind":"fixed","Amount_Fen":1}`, "amount_rule.Amount_Fen", ""},
		{"field missing", `{"kind":"percent_of_expense","percent":5}`, "amount_rule.cap_fen", ""},
		{"field null", `{"kind":"fixed","amount_fen":null}`, "amount_rule.amount_fen", ""},
		{"float money", `{"kind":"fixed","amount_fen":1.5}`, "amount_rule.amount_fen", ""},
		{"float whole", `{"kind":"fixed","amount_fen":100.0}`, "amount_rule.amount_fen", ""},
		{"exponent", `{"kind":"fixed","amount_fen":1e3}`, "amount_rule.amount_fen", ""},
		{"string money", `{"kind":"fixed","amount_fen":"100"}`, "amount_rule.amount_fen", ""},
		{"float percent", `{"kind":"percent_of_expense","percent":12.5,"cap_fen":1}`, "amount_rule.percent", ""},
		{"float tier", `{"kind":"tiered","tiers":[{"min_expense_fen":0.5,"amount_fen":1}]}`, "amount_rule.tiers.min_expense_fen", ""},
		{"unknown tier field", `{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1,"max":2}]}`, "amount_rule.tiers[0].max", ""},
		{"wrong case tier field", `{"kind":"tiered","tiers":[{"min_expense_fen":0,"AMOUNT_FEN":1}]}`, "amount_rule.tiers[0].AMOUNT_FEN", ""},
		{"tiers not a list", `{"kind":"tiered","tiers":{}}`, "amount_rule.tiers", ""},
		{"null tier", `{"kind":"tiered","tiers":[null]}`, "", `{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":0}]}`},
		{"overflow", `{"kind":"fixed","amount_fen":9223372036854775808}`, "amount_rule.amount_fen", ""},
		{"not an object", `[1]`, "amount_rule", ""},
		{"null", `null`, "amount_rule", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r AmountRule
			err := json.Unmarshal([]byte(tt.in), &r)
			checkField(t, err, tt.field)
			if tt.field != "" {
				return
			}
			out, err := json.Marshal(r)
			if err != nil || string(out) != tt.out {
				t.Fatalf("re-encoded %s, %v; want %s", out, err, tt.out)
			}
		})
	}
}

func TestMaxPayable(t *testing.T) {
	t.Parallel()
	tiered := TieredRule(Tier{MinExpenseFen: 1000, AmountFen: 100}, Tier{MinExpenseFen: 5000, AmountFen: 300}, Tier{MinExpenseFen: 9000, AmountFen: 300})
	tests := []struct {
		name    string
		rule    AmountRule
		expense int64
		want    int64
		field   string
	}{
		{"fixed ignores expense", FixedRule(600000), 0, 600000, ""},
		{"fixed huge expense", FixedRule(600000), math.MaxInt64, 600000, ""},
		{"percent floors", PercentRule(33, 1000000), 100, 33, ""},
		{"percent floors a fraction", PercentRule(50, 1000000), 3, 1, ""},
		{"percent of 80,000 yuan", PercentRule(50, 4000000), 8000000, 4000000, ""},
		{"percent capped", PercentRule(50, 4000000), 9000000, 4000000, ""},
		{"percent of zero", PercentRule(50, 100), 0, 0, ""},
		{"percent no overflow", PercentRule(100, math.MaxInt64), math.MaxInt64, math.MaxInt64, ""},
		{"percent 99 of max", PercentRule(99, math.MaxInt64), math.MaxInt64, 9131138316486228048, ""},
		{"percent 7 of max", PercentRule(7, math.MaxInt64), math.MaxInt64, 645636042579834306, ""},
		{"tier below first", tiered, 999, 0, ""},
		{"tier at first", tiered, 1000, 100, ""},
		{"tier between", tiered, 4999, 100, ""},
		{"tier at second", tiered, 5000, 300, ""},
		{"tier beyond last", tiered, math.MaxInt64, 300, ""},
		{"negative expense", FixedRule(1), -1, 0, "expense_fen"},
		{"invalid rule", PercentRule(0, 1), 5, 0, "amount_rule.percent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.rule.MaxPayable(tt.expense)
			checkField(t, err, tt.field)
			if got != tt.want {
				t.Fatalf("MaxPayable(%d) = %d, want %d", tt.expense, got, tt.want)
			}
		})
	}
}

func TestTieredRuleCopiesTiers(t *testing.T) {
	t.Parallel()
	ts := []Tier{{0, 1}}
	r := TieredRule(ts...)
	ts[0].AmountFen = 99
	r.Tiers()[0].AmountFen = 98
	if r.Tiers()[0].AmountFen != 1 || r.Ceiling() != 1 || r.Kind() != KindTiered {
		t.Fatalf("rule shares its tiers: %+v", r.Tiers())
	}
}

// A number out of range in a rule is refused naming the member, in the
// client's words, never the decoder's (Go types and struct names).
func TestRuleNumberOutOfRangeNamesTheMember(t *testing.T) {
	t.Parallel()
	var r AmountRule
	err := json.Unmarshal([]byte(`{"kind":"tiered","tiers":[{"min_expense_fen":1e30,"amount_fen":1}]}`), &r)
	var ve *fault.ValidationError
	if !errors.As(err, &ve) || strings.Contains(ve.Error(), "Go") || strings.Contains(ve.Error(), "unmarshal") ||
		!strings.HasPrefix(ve.Field, "amount_rule.tiers") {
		t.Fatalf("got %v, want a validation error on amount_rule.tiers… in plain words", err)
	}
}
