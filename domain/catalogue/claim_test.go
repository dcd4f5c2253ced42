package catalogue

import (
	"errors"
	"reflect"
	"testing"

	"aidtrail/domain/fault"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	// validDef: tiers 0 → 5,000 yuan, 50,000 yuan → 20,000 yuan; annual cap
	// 60,000 yuan; 4 times a year; diagnosis and invoice; self only.
	ok := Claim{Beneficiary: BeneficiarySelf, ExpenseFen: 8000000, RequestedFen: 2000000,
		DocumentKinds: []string{"photo", "invoice", "diagnosis"}}
	claim := func(edit func(*Claim)) Claim {
		c := ok
		edit(&c)
		return c
	}
	spouse := with(func(d *Definition) {
		d.AmountRule, d.AnnualCapFen, d.MaxTimesPerYear = FixedRule(4000000), 4000000, 1
		d.Beneficiaries = []Beneficiary{BeneficiarySpouse, BeneficiaryChild}
	})
	tests := []struct {
		name      string
		def       Definition
		claim     Claim
		wantMax   int64
		wantErr   error  // matched with errors.Is
		wantField string // for fault.ErrInvalid
		wantCap   *CapError
		missing   []string
	}{
		{"within the rule", validDef(), ok, 2000000, nil, "", nil, nil},
		{"below the request", validDef(), claim(func(c *Claim) { c.RequestedFen = 1 }), 2000000, nil, "", nil, nil},
		{"lower tier", validDef(), claim(func(c *Claim) { c.ExpenseFen, c.RequestedFen = 100, 500000 }), 500000, nil, "", nil, nil},
		{"above the rule", validDef(), claim(func(c *Claim) { c.ExpenseFen = 100 }), 500000, ErrOverCap, "",
			&CapError{Limit: 500000, Requested: 2000000, Reason: CapReasonAmountRule}, nil},
		{"annual cap leaves less", validDef(), claim(func(c *Claim) { c.PaidThisYearFen = 4500000 }), 1500000, ErrOverCap, "",
			&CapError{Limit: 1500000, Requested: 2000000, Reason: CapReasonAnnualCap}, nil},
		{"annual cap used up", validDef(), claim(func(c *Claim) { c.PaidThisYearFen, c.RequestedFen = 9000000, 1 }), 0, ErrOverCap, "",
			&CapError{Limit: 0, Requested: 1, Reason: CapReasonAnnualCap}, nil},
		{"annual cap exactly left", validDef(), claim(func(c *Claim) { c.PaidThisYearFen = 4000000 }), 2000000, nil, "", nil, nil},
		{"spouse 40,000 yuan", spouse, claim(func(c *Claim) { c.Beneficiary, c.RequestedFen = BeneficiarySpouse, 4000000 }), 4000000, nil, "", nil, nil},
		{"beneficiary not covered", validDef(), claim(func(c *Claim) { c.Beneficiary = BeneficiaryParent }), 0, ErrBeneficiaryNotCovered, "", nil, nil},
		{"self not covered", spouse, ok, 0, ErrNotEligible, "", nil, nil},
		{"documents missing", validDef(), claim(func(c *Claim) { c.DocumentKinds = []string{"invoice"} }), 0, ErrMissingDocuments, "", nil, []string{"diagnosis"}},
		{"no documents", validDef(), claim(func(c *Claim) { c.DocumentKinds = nil }), 0, ErrNotEligible, "", nil, []string{"diagnosis", "invoice"}},
		{"times used up", validDef(), claim(func(c *Claim) { c.TimesThisYear = 4 }), 0, ErrTimesExhausted, "", nil, nil},
		{"last time", validDef(), claim(func(c *Claim) { c.TimesThisYear = 3 }), 2000000, nil, "", nil, nil},
		{"unknown beneficiary", validDef(), claim(func(c *Claim) { c.Beneficiary = "cousin" }), 0, fault.ErrInvalid, "beneficiary.relation", nil, nil},
		{"negative expense", validDef(), claim(func(c *Claim) { c.ExpenseFen = -1 }), 0, fault.ErrInvalid, "expense_fen", nil, nil},
		{"nothing requested", validDef(), claim(func(c *Claim) { c.RequestedFen = 0 }), 0, fault.ErrInvalid, "requested_fen", nil, nil},
		{"negative paid", validDef(), claim(func(c *Claim) { c.PaidThisYearFen = -1 }), 0, fault.ErrInvalid, "paid_this_year_fen", nil, nil},
		{"negative times", validDef(), claim(func(c *Claim) { c.TimesThisYear = -1 }), 0, fault.ErrInvalid, "times_this_year", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.def.Check(tt.claim)
			if got != tt.wantMax {
				t.Errorf("max payable %d, want %d", got, tt.wantMax)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.wantField != "" {
				checkField(t, err, tt.wantField)
			}
			if tt.wantCap != nil {
				var ce *CapError
				if !errors.As(err, &ce) || *ce != *tt.wantCap {
					t.Fatalf("cap error %+v, want %+v", ce, tt.wantCap)
				}
			}
			if tt.missing != nil {
				var me *MissingDocumentsError
				if !errors.As(err, &me) || !reflect.DeepEqual(me.Kinds, tt.missing) {
					t.Fatalf("missing %+v, want %v", me, tt.missing)
				}
			}
		})
	}
}
