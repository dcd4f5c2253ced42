package catalogue

import "github.com/google/uuid"

// yuan is 100 fen.
const yuan int64 = 100

// SampleCatalogue returns a realistic bureau-wide catalogue of 24 standards,
// eight in each category, as a railway bureau's union lists them (助困、助医、
// 助学), every one owned by owner and valid. Demos and tests publish it; a
// real bureau publishes its own. The amounts fit cases such as an employee
// with a brain tumour helped five times with over 100,000 yuan in total, a
// 40,000-yuan grant for a spouse's multiple myeloma, an 80,000-yuan hospital
// bill, and a 6,000-yuan grant for a child admitted to university.
func SampleCatalogue(owner uuid.UUID) []Definition {
	self := []Beneficiary{BeneficiarySelf}
	family := []Beneficiary{BeneficiarySpouse, BeneficiaryChild}
	child := []Beneficiary{BeneficiaryChild}
	household := []Beneficiary{BeneficiarySelf, BeneficiarySpouse, BeneficiaryChild, BeneficiaryParent}
	def := func(code, name string, c Category, rule AmountRule, capFen int64, times int, docs []string, line string, who []Beneficiary) Definition {
		return Definition{Code: code, Name: name, Category: c, OwnerUnitID: owner, AmountRule: rule,
			AnnualCapFen: capFen, MaxTimesPerYear: times, RequiredDocuments: docs, BudgetLine: line, Beneficiaries: who}
	}
	seriousTiers := TieredRule(
		Tier{MinExpenseFen: 10000 * yuan, AmountFen: 5000 * yuan},
		Tier{MinExpenseFen: 30000 * yuan, AmountFen: 10000 * yuan},
		Tier{MinExpenseFen: 50000 * yuan, AmountFen: 20000 * yuan},
		Tier{MinExpenseFen: 100000 * yuan, AmountFen: 30000 * yuan},
		Tier{MinExpenseFen: 200000 * yuan, AmountFen: 40000 * yuan},
	)
	return []Definition{
		// 助医
		def("MED-SERIOUS", "重大疾病救助", CategoryMedical, seriousTiers, 60000*yuan, 4,
			[]string{"diagnosis", "invoice", "expense_list"}, "aid.medical.serious", self),
		def("MED-FAMILY-SERIOUS", "配偶子女重大疾病救助", CategoryMedical, FixedRule(40000*yuan), 40000*yuan, 1,
			[]string{"diagnosis", "invoice", "kinship_proof"}, "aid.medical.serious", family),
		def("MED-INPATIENT", "住院医疗救助", CategoryMedical, PercentRule(50, 40000*yuan), 50000*yuan, 3,
			[]string{"invoice", "discharge_summary", "expense_list"}, "aid.medical.inpatient", self),
		def("MED-CHRONIC", "慢性病门诊救助", CategoryMedical, PercentRule(30, 5000*yuan), 10000*yuan, 4,
			[]string{"diagnosis", "invoice"}, "aid.medical.outpatient", self),
		def("MED-SERIOUS-FOLLOWUP", "重大疾病后续治疗救助", CategoryMedical, PercentRule(40, 20000*yuan), 40000*yuan, 6,
			[]string{"diagnosis", "invoice", "treatment_plan"}, "aid.medical.serious", self),
		def("MED-INJURY", "因伤住院救助", CategoryMedical, FixedRule(3000*yuan), 6000*yuan, 2,
			[]string{"discharge_summary", "accident_report"}, "aid.medical.inpatient", self),
		def("MED-PARENT-SERIOUS", "父母重大疾病救助", CategoryMedical, FixedRule(10000*yuan), 10000*yuan, 1,
			[]string{"diagnosis", "invoice", "kinship_proof"}, "aid.medical.serious", []Beneficiary{BeneficiaryParent}),
		def("MED-REHAB", "康复治疗救助", CategoryMedical, PercentRule(40, 10000*yuan), 10000*yuan, 2,
			[]string{"diagnosis", "invoice"}, "aid.medical.outpatient", []Beneficiary{BeneficiarySelf, BeneficiaryChild}),
		// 助困
		def("HARD-LIVING", "困难职工生活补助", CategoryHardship, FixedRule(5000*yuan), 30000*yuan, 6,
			[]string{"income_proof", "household_register"}, "aid.hardship.living", self),
		def("HARD-DISASTER", "因灾临时救助", CategoryHardship, TieredRule(
			Tier{MinExpenseFen: 0, AmountFen: 2000 * yuan},
			Tier{MinExpenseFen: 10000 * yuan, AmountFen: 5000 * yuan},
			Tier{MinExpenseFen: 50000 * yuan, AmountFen: 10000 * yuan},
		), 20000*yuan, 2, []string{"loss_proof", "site_photo"}, "aid.hardship.temporary", self),
		def("HARD-ACCIDENT", "意外事故临时救助", CategoryHardship, TieredRule(
			Tier{MinExpenseFen: 5000 * yuan, AmountFen: 2000 * yuan},
			Tier{MinExpenseFen: 20000 * yuan, AmountFen: 5000 * yuan},
			Tier{MinExpenseFen: 50000 * yuan, AmountFen: 8000 * yuan},
		), 10000*yuan, 2, []string{"accident_report", "invoice"}, "aid.hardship.temporary", household),
		def("HARD-BEREAVED", "职工身故遗属困难救助", CategoryHardship, FixedRule(10000*yuan), 10000*yuan, 1,
			[]string{"death_certificate", "kinship_proof"}, "aid.hardship.living",
			[]Beneficiary{BeneficiarySpouse, BeneficiaryChild, BeneficiaryParent}),
		def("HARD-SINGLE-PARENT", "单亲困难职工家庭补助", CategoryHardship, FixedRule(3000*yuan), 6000*yuan, 2,
			[]string{"income_proof", "marital_status_proof"}, "aid.hardship.living", self),
		def("HARD-ZERO-EMPLOYMENT", "零就业家庭补助", CategoryHardship, FixedRule(3000*yuan), 6000*yuan, 2,
			[]string{"income_proof", "unemployment_proof"}, "aid.hardship.living", self),
		def("HARD-SPRING-FESTIVAL", "元旦春节送温暖困难补助", CategoryHardship, FixedRule(2000*yuan), 2000*yuan, 1,
			[]string{"income_proof"}, "aid.hardship.festival", self),
		def("HARD-WINTER-HEATING", "冬季取暖困难补助", CategoryHardship, FixedRule(1500*yuan), 1500*yuan, 1,
			[]string{"income_proof"}, "aid.hardship.seasonal", self),
		// 助学
		def("EDU-UNIV", "金秋助学（考入全日制本科）", CategoryEducation, FixedRule(6000*yuan), 6000*yuan, 1,
			[]string{"admission_letter", "income_proof", "kinship_proof"}, "aid.education.autumn", child),
		def("EDU-UNIV-JUNIOR", "金秋助学（考入全日制高职专科）", CategoryEducation, FixedRule(4000*yuan), 4000*yuan, 1,
			[]string{"admission_letter", "income_proof", "kinship_proof"}, "aid.education.autumn", child),
		def("EDU-POSTGRAD", "子女考取研究生助学", CategoryEducation, FixedRule(5000*yuan), 5000*yuan, 1,
			[]string{"admission_letter", "income_proof", "kinship_proof"}, "aid.education.autumn", child),
		def("EDU-HIGH", "子女高中助学", CategoryEducation, FixedRule(2000*yuan), 2000*yuan, 1,
			[]string{"enrolment_proof", "income_proof"}, "aid.education.school", child),
		def("EDU-VOCATIONAL", "子女中职助学", CategoryEducation, FixedRule(1500*yuan), 1500*yuan, 1,
			[]string{"enrolment_proof", "income_proof"}, "aid.education.school", child),
		def("EDU-COMPULSORY", "义务教育阶段子女助学", CategoryEducation, FixedRule(1000*yuan), 1000*yuan, 1,
			[]string{"enrolment_proof", "income_proof"}, "aid.education.school", child),
		def("EDU-SPECIAL-NEEDS", "特殊教育子女助学", CategoryEducation, FixedRule(3000*yuan), 3000*yuan, 1,
			[]string{"enrolment_proof", "disability_certificate"}, "aid.education.school", child),
		def("EDU-SELF-DEGREE", "困难职工学历提升补助", CategoryEducation, PercentRule(50, 5000*yuan), 5000*yuan, 1,
			[]string{"enrolment_proof", "tuition_invoice", "income_proof"}, "aid.education.staff", self),
	}
}
