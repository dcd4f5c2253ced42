package catalogue

import (
	"strings"

	"github.com/google/uuid"
)

var bureau = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000b1")

// validDef returns a valid definition; edit the copy to break one rule.
func validDef() Definition {
	return Definition{
		Code: "MED-SERIOUS", Name: "重大疾病救助", Category: CategoryMedical, OwnerUnitID: bureau,
		AmountRule:   TieredRule(Tier{MinExpenseFen: 0, AmountFen: 500000}, Tier{MinExpenseFen: 5000000, AmountFen: 2000000}),
		AnnualCapFen: 6000000, MaxTimesPerYear: 4, RequiredDocuments: []string{"diagnosis", "invoice"},
		BudgetLine: "aid.medical.serious", Beneficiaries: []Beneficiary{BeneficiarySelf},
	}
}

func with(edit func(*Definition)) Definition {
	d := validDef()
	edit(&d)
	return d
}

func repeat(s string, n int) string { return strings.Repeat(s, n) }
