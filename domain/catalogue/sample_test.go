package catalogue

import (
	"testing"
)

func TestSampleCatalogue(t *testing.T) {
	t.Parallel()
	defs := SampleCatalogue(bureau)
	if len(defs) < 24 {
		t.Fatalf("%d standards, want at least 24", len(defs))
	}
	codes := map[string]bool{}
	perCategory := map[Category]int{}
	for _, d := range defs {
		if err := d.Validate(); err != nil {
			t.Errorf("%s: %v", d.Code, err)
		}
		if codes[d.Code] {
			t.Errorf("code %s repeated", d.Code)
		}
		codes[d.Code] = true
		perCategory[d.Category]++
		if d.OwnerUnitID != bureau {
			t.Errorf("%s: owner %s", d.Code, d.OwnerUnitID)
		}
		if _, err := Publish(d); err != nil {
			t.Errorf("publish %s: %v", d.Code, err)
		}
	}
	for _, c := range Categories() {
		if perCategory[c] < 7 {
			t.Errorf("category %s has %d standards, want at least 7", c, perCategory[c])
		}
	}
	byCode := map[string]Definition{}
	for _, d := range defs {
		byCode[d.Code] = d
	}
	// The cases the catalogue must fit, amounts in fen.
	stories := []struct {
		code    string
		claim   Claim
		wantMax int64
	}{
		{"EDU-UNIV", Claim{Beneficiary: BeneficiaryChild, RequestedFen: 600000,
			DocumentKinds: []string{"admission_letter", "income_proof", "kinship_proof"}}, 600000},
		{"MED-FAMILY-SERIOUS", Claim{Beneficiary: BeneficiarySpouse, ExpenseFen: 30000000, RequestedFen: 4000000,
			DocumentKinds: []string{"diagnosis", "invoice", "kinship_proof"}}, 4000000},
		{"MED-INPATIENT", Claim{Beneficiary: BeneficiarySelf, ExpenseFen: 8000000, RequestedFen: 4000000,
			DocumentKinds: []string{"invoice", "discharge_summary", "expense_list"}}, 4000000},
		{"MED-SERIOUS", Claim{Beneficiary: BeneficiarySelf, ExpenseFen: 25000000, RequestedFen: 4000000,
			DocumentKinds: []string{"diagnosis", "invoice", "expense_list"}, PaidThisYearFen: 2000000, TimesThisYear: 1}, 4000000},
		{"HARD-LIVING", Claim{Beneficiary: BeneficiarySelf, RequestedFen: 500000,
			DocumentKinds: []string{"income_proof", "household_register"}, PaidThisYearFen: 2500000, TimesThisYear: 5}, 500000},
	}
	for _, s := range stories {
		got, err := byCode[s.code].Check(s.claim)
		if err != nil || got != s.wantMax {
			t.Errorf("%s: max payable %d, %v; want %d", s.code, got, err, s.wantMax)
		}
	}
}
