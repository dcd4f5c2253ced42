package catalogue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// Kinds of amount rule, as they appear in the API and in events. Stored;
// never rename them.
const (
	KindFixed            = "fixed"
	KindPercentOfExpense = "percent_of_expense"
	KindTiered           = "tiered"
)

// MaxTiers is the most tiers a tiered rule may have.
const MaxTiers = 20

// Tier of a tiered rule: an expense of at least MinExpenseFen earns
// AmountFen.
type Tier struct {
	MinExpenseFen int64 `json:"min_expense_fen"`
	AmountFen     int64 `json:"amount_fen"`
}

// AmountRule says how much a standard pays for a claim's expense, in fen.
// It is a value: build one with FixedRule, PercentRule or TieredRule, or
// decode it from JSON; the zero value is invalid. Its JSON form is one of
//
//	{"kind":"fixed","amount_fen":N}
//	{"kind":"percent_of_expense","percent":P,"cap_fen":C}
//	{"kind":"tiered","tiers":[{"min_expense_fen":E,"amount_fen":A},...]}
type AmountRule struct {
	kind    string
	amount  int64
	percent int64
	cap     int64
	tiers   []Tier
}

// FixedRule pays amountFen whatever the expense.
func FixedRule(amountFen int64) AmountRule { return AmountRule{kind: KindFixed, amount: amountFen} }

// PercentRule pays percent of the expense, rounded down to the fen, at most
// capFen.
func PercentRule(percent, capFen int64) AmountRule {
	return AmountRule{kind: KindPercentOfExpense, percent: percent, cap: capFen}
}

// TieredRule pays the amount of the highest tier the expense reaches. The
// tiers are copied.
func TieredRule(tiers ...Tier) AmountRule {
	return AmountRule{kind: KindTiered, tiers: slices.Clone(tiers)}
}

// Kind returns KindFixed, KindPercentOfExpense or KindTiered ("" for the
// zero value).
func (r AmountRule) Kind() string { return r.kind }

// Tiers returns a copy of a tiered rule's tiers (nil for other kinds).
func (r AmountRule) Tiers() []Tier { return slices.Clone(r.tiers) }

// Validate checks the rule: a fixed amount above 0; a percent of 1..100 with
// a cap above 0; 1..MaxTiers tiers whose min_expense_fen start at 0 or more
// and strictly increase and whose amounts are above 0 and never decrease.
// Failures are *fault.ValidationError on fields under "amount_rule".
func (r AmountRule) Validate() error {
	switch r.kind {
	case KindFixed:
		if r.amount <= 0 {
			return invalid("amount_rule.amount_fen", "must be above 0")
		}
	case KindPercentOfExpense:
		if r.percent < 1 || r.percent > 100 {
			return invalid("amount_rule.percent", "must be a whole number from 1 to 100")
		}
		if r.cap <= 0 {
			return invalid("amount_rule.cap_fen", "must be above 0")
		}
	case KindTiered:
		if len(r.tiers) == 0 || len(r.tiers) > MaxTiers {
			return invalid("amount_rule.tiers", "must hold 1 to %d tiers", MaxTiers)
		}
		for i, t := range r.tiers {
			switch {
			case i == 0 && t.MinExpenseFen < 0:
				return invalid("amount_rule.tiers[0].min_expense_fen", "must be 0 or more")
			case i > 0 && t.MinExpenseFen <= r.tiers[i-1].MinExpenseFen:
				return invalid(fmt.Sprintf("amount_rule.tiers[%d].min_expense_fen", i), "must be above the previous tier's")
			case t.AmountFen <= 0:
				return invalid(fmt.Sprintf("amount_rule.tiers[%d].amount_fen", i), "must be above 0")
			case i > 0 && t.AmountFen < r.tiers[i-1].AmountFen:
				return invalid(fmt.Sprintf("amount_rule.tiers[%d].amount_fen", i), "must not be below the previous tier's")
			}
		}
	default:
		return invalid("amount_rule.kind", "must be %s, %s or %s", KindFixed, KindPercentOfExpense, KindTiered)
	}
	return nil
}

// Ceiling returns the most the rule ever pays: the fixed amount, the cap,
// or the largest tier's amount. It is meaningful only for a valid rule.
func (r AmountRule) Ceiling() int64 {
	switch r.kind {
	case KindFixed:
		return r.amount
	case KindPercentOfExpense:
		return r.cap
	case KindTiered:
		if len(r.tiers) > 0 {
			return r.tiers[len(r.tiers)-1].AmountFen
		}
	}
	return 0
}

// MaxPayable returns what the rule allows for an expense of expenseFen:
// the fixed amount; floor(expense × percent / 100) but at most the cap; or
// the amount of the highest tier whose min_expense_fen ≤ expense, 0 when the
// expense reaches no tier. It is exact for every expense from 0 to
// math.MaxInt64, never above Ceiling, and never decreases as the expense
// grows. A negative expense or an invalid rule is a *fault.ValidationError.
func (r AmountRule) MaxPayable(expenseFen int64) (int64, error) {
	if expenseFen < 0 {
		return 0, invalid("expense_fen", "must be 0 or more")
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	switch r.kind {
	case KindFixed:
		return r.amount, nil
	case KindPercentOfExpense:
		// expense < 2^63 and percent ≤ 100, so the 128-bit product's high
		// word is below 100 and the quotient fits in an int64.
		hi, lo := bits.Mul64(uint64(expenseFen), uint64(r.percent))
		q, _ := bits.Div64(hi, lo, 100)
		return min(int64(q), r.cap), nil
	default:
		var pay int64
		for _, t := range r.tiers {
			if t.MinExpenseFen > expenseFen {
				break
			}
			pay = t.AmountFen
		}
		return pay, nil
	}
}

// ruleJSON is the wire form of every kind; the fields a kind does not use
// must be absent.
type ruleJSON struct {
	Kind      string `json:"kind"`
	AmountFen *int64 `json:"amount_fen,omitempty"`
	Percent   *int64 `json:"percent,omitempty"`
	CapFen    *int64 `json:"cap_fen,omitempty"`
	Tiers     []Tier `json:"tiers,omitempty"`
}

// MarshalJSON writes the rule's API form, only the fields of its kind.
func (r AmountRule) MarshalJSON() ([]byte, error) {
	w := ruleJSON{Kind: r.kind}
	switch r.kind {
	case KindFixed:
		w.AmountFen = &r.amount
	case KindPercentOfExpense:
		w.Percent, w.CapFen = &r.percent, &r.cap
	case KindTiered:
		w.Tiers = r.tiers
		if w.Tiers == nil {
			w.Tiers = []Tier{}
		}
		return json.Marshal(struct {
			Kind  string `json:"kind"`
			Tiers []Tier `json:"tiers"`
		}{w.Kind, w.Tiers})
	}
	return json.Marshal(w)
}

// fieldsOf lists the fields each kind must carry besides "kind".
var fieldsOf = map[string][]string{
	KindFixed:            {"amount_fen"},
	KindPercentOfExpense: {"percent", "cap_fen"},
	KindTiered:           {"tiers"},
}

// UnmarshalJSON reads the API form strictly: a known kind with exactly its
// own fields, whole numbers for money and percent (1.5, 1e3 and "100" are
// refused), no unknown fields in the rule or its tiers. It checks shape,
// not values: call Validate. Failures are *fault.ValidationError.
func (r *AmountRule) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return invalid("amount_rule", "must be a JSON object")
	}
	var kind string
	if err := json.Unmarshal(fields["kind"], &kind); err != nil {
		return invalid("amount_rule.kind", "must be a string")
	}
	want, ok := fieldsOf[kind]
	if !ok {
		return invalid("amount_rule.kind", "must be %s, %s or %s", KindFixed, KindPercentOfExpense, KindTiered)
	}
	for name := range fields {
		if name != "kind" && !slices.Contains(want, name) {
			return invalid("amount_rule."+name, "is not a field of a %s rule", kind)
		}
	}
	for _, name := range want {
		if v, ok := fields[name]; !ok || string(v) == "null" {
			return invalid("amount_rule."+name, "is required for a %s rule", kind)
		}
	}
	if kind == KindTiered {
		var tiers []map[string]json.RawMessage
		if err := json.Unmarshal(fields["tiers"], &tiers); err != nil {
			return invalid("amount_rule.tiers", "must be a list of tiers")
		}
		for i, t := range tiers {
			for name := range t {
				if name != "min_expense_fen" && name != "amount_fen" {
					return invalid(fmt.Sprintf("amount_rule.tiers[%d].%s", i, name), "is not a field of a tier")
				}
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w ruleJSON
	if err := dec.Decode(&w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return invalid("amount_rule."+typeErr.Field, "must be a whole number in range")
		}
		return invalid("amount_rule", "must hold whole numbers of fen and known fields only")
	}
	if dec.More() {
		return invalid("amount_rule", "must be one JSON object")
	}
	switch kind {
	case KindFixed:
		*r = FixedRule(*w.AmountFen)
	case KindPercentOfExpense:
		*r = PercentRule(*w.Percent, *w.CapFen)
	default:
		*r = AmountRule{kind: KindTiered, tiers: w.Tiers}
		if r.tiers == nil {
			r.tiers = []Tier{}
		}
	}
	return nil
}
