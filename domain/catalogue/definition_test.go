package catalogue

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

func TestDefinitionValidate(t *testing.T) {
	t.Parallel()
	docs := make([]string, MaxDocuments+1)
	for i := range docs {
		docs[i] = fmt.Sprintf("doc_%d", i)
	}
	tests := []struct {
		name  string
		def   Definition
		field string
	}{
		{"valid", validDef(), ""},
		{"code of 2", with(func(d *Definition) { d.Code = "M1" }), ""},
		{"code of 32", with(func(d *Definition) { d.Code = repeat("A", 32) }), ""},
		{"code of 1", with(func(d *Definition) { d.Code = "M" }), "code"},
		{"code of 33", with(func(d *Definition) { d.Code = repeat("A", 33) }), "code"},
		{"code lower case", with(func(d *Definition) { d.Code = "med-serious" }), "code"},
		{"code underscore", with(func(d *Definition) { d.Code = "MED_SERIOUS" }), "code"},
		{"code space", with(func(d *Definition) { d.Code = "MED SERIOUS" }), "code"},
		{"name empty", with(func(d *Definition) { d.Name = "  " }), "name"},
		{"name of 100 runes", with(func(d *Definition) { d.Name = repeat("救", 100) }), ""},
		{"name of 101 runes", with(func(d *Definition) { d.Name = repeat("救", 101) }), "name"},
		{"name control", with(func(d *Definition) { d.Name = "a\x00b" }), "name"},
		{"name bad UTF-8", with(func(d *Definition) { d.Name = "\xff" }), "name"},
		{"category unknown", with(func(d *Definition) { d.Category = "housing" }), "category"},
		{"owner nil", with(func(d *Definition) { d.OwnerUnitID = uuid.Nil }), "owner_unit_id"},
		{"rule invalid", with(func(d *Definition) { d.AmountRule = FixedRule(0) }), "amount_rule.amount_fen"},
		{"rule missing", with(func(d *Definition) { d.AmountRule = AmountRule{} }), "amount_rule.kind"},
		{"annual cap below the rule's ceiling", with(func(d *Definition) { d.AnnualCapFen = 1 }), ""},
		{"annual cap 0", with(func(d *Definition) { d.AnnualCapFen = 0 }), "annual_cap_fen"},
		{"times 0", with(func(d *Definition) { d.MaxTimesPerYear = 0 }), "max_times_per_year"},
		{"times 52", with(func(d *Definition) { d.MaxTimesPerYear = 52 }), ""},
		{"times 53", with(func(d *Definition) { d.MaxTimesPerYear = 53 }), "max_times_per_year"},
		{"no documents", with(func(d *Definition) { d.RequiredDocuments = nil }), ""},
		{"20 documents", with(func(d *Definition) { d.RequiredDocuments = docs[:MaxDocuments] }), ""},
		{"21 documents", with(func(d *Definition) { d.RequiredDocuments = docs }), "required_documents"},
		{"empty document", with(func(d *Definition) { d.RequiredDocuments = []string{"diagnosis", ""} }), "required_documents[1]"},
		{"document upper case", with(func(d *Definition) { d.RequiredDocuments = []string{"Invoice"} }), "required_documents[0]"},
		{"document too long", with(func(d *Definition) { d.RequiredDocuments = []string{repeat("a", 41)} }), "required_documents[0]"},
		{"document repeated", with(func(d *Definition) { d.RequiredDocuments = []string{"invoice", "diagnosis", "invoice"} }), "required_documents[2]"},
		{"budget line empty", with(func(d *Definition) { d.BudgetLine = "" }), "budget_line"},
		{"budget line of 64", with(func(d *Definition) { d.BudgetLine = repeat("a", 64) }), ""},
		{"budget line of 65", with(func(d *Definition) { d.BudgetLine = repeat("a", 65) }), "budget_line"},
		{"budget line upper case", with(func(d *Definition) { d.BudgetLine = "Aid" }), "budget_line"},
		{"no beneficiary", with(func(d *Definition) { d.Beneficiaries = nil }), "beneficiaries"},
		{"unknown beneficiary", with(func(d *Definition) { d.Beneficiaries = []Beneficiary{"self", "cousin"} }), "beneficiaries[1]"},
		{"repeated beneficiary", with(func(d *Definition) { d.Beneficiaries = []Beneficiary{"child", "child"} }), "beneficiaries[1]"},
		{"version is ignored", with(func(d *Definition) { d.Version = -3 }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkField(t, tt.def.Validate(), tt.field)
		})
	}
}

func TestDefinitionJSON(t *testing.T) {
	t.Parallel()
	d := validDef()
	d.Version = 2
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"MED-SERIOUS","name":"重大疾病救助","category":"medical","owner_unit_id":"` + bureau.String() +
		`","amount_rule":{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":500000},{"min_expense_fen":5000000,"amount_fen":2000000}]},` +
		`"annual_cap_fen":6000000,"max_times_per_year":4,"required_documents":["diagnosis","invoice"],` +
		`"budget_line":"aid.medical.serious","beneficiaries":["self"],"version":2}`
	if string(data) != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}
	var back Definition
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	err = json.Unmarshal([]byte(`{"amount_rule":{"kind":"fixed","amount_fen":1.5}}`), &back)
	if !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("a float amount decoded: %v", err)
	}
}
