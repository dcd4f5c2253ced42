package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
)

// person is an employee of a story.
type person struct {
	station, name, idBase, bank, login string // login: their own account, if they apply from the phone
	family                             []commands.FamilyMember
}

// claim is one application of a story.
type claim struct {
	standard        string
	beneficiary     casework.Relation
	beneficiaryName string
	causes          []string
	expenseYuan     int64
	requestedYuan   int64
	description     string
}

// stories are the seed's five: a brain tumour helped five times (over
// 100,000 yuan); a cancer patient given medical aid and, through the
// profile, a hardship subsidy and a child's education grant; an
// 80,000-yuan bill reimbursed through the phone app; a child admitted to
// university offered 6,000 yuan before the father asked; 40,000 yuan for a
// wife with multiple myeloma, applied for from the phone.
var stories = []struct {
	who    person
	claims []claim
}{
	{person{station: "dqcw", name: "姚晓娟", idBase: "14020219960315002", bank: "6222020500012345671"}, []claim{
		{"MED-SERIOUS", casework.RelationSelf, "", []string{"serious_illness"}, 260_000, 40_000, "弥漫性中线胶质瘤，手术及放化疗"},
		{"MED-SERIOUS", casework.RelationSelf, "", []string{"serious_illness"}, 120_000, 20_000, "弥漫性中线胶质瘤，二次治疗"},
		{"MED-SERIOUS-FOLLOWUP", casework.RelationSelf, "", []string{"serious_illness"}, 60_000, 20_000, "靶向药物后续治疗"},
		{"MED-SERIOUS-FOLLOWUP", casework.RelationSelf, "", []string{"serious_illness"}, 55_000, 20_000, "复查及康复治疗"},
		{"HARD-LIVING", casework.RelationSelf, "", []string{"serious_illness", "low_income"}, 0, 5_000, "因病致困生活补助"},
	}},
	{person{station: "tycw", name: "侯建军", idBase: "14010519780622001", bank: "6222020500012345672",
		family: []commands.FamilyMember{{Relation: org.RelationChild, Name: "侯思雨", BirthDate: "2007-04-18"}}}, []claim{
		{"MED-SERIOUS", casework.RelationSelf, "", []string{"serious_illness"}, 210_000, 40_000, "肺癌手术及化疗"},
		{"HARD-LIVING", casework.RelationSelf, "", []string{"serious_illness", "low_income"}, 0, 5_000, "精准画像发现：因病致困"},
		{"EDU-UNIV", casework.RelationChild, "侯思雨", []string{"education"}, 0, 6_000, "子女考入全日制本科"},
	}},
	{person{station: "dtxgd", name: "王志强", idBase: "14020319820910003", bank: "6222020500012345673", login: "wang-dtxgd"}, []claim{
		{"MED-INPATIENT", casework.RelationSelf, "", []string{"illness"}, 80_000, 40_000, "住院治疗，通过太铁e家园小程序申请"},
	}},
	{person{station: "tyjw", name: "王海涛", idBase: "14010919750101004", bank: "6222020500012345674",
		family: []commands.FamilyMember{{Relation: org.RelationChild, Name: "王雨萱", BirthDate: "2007-08-30"}}}, []claim{
		{"EDU-UNIV", casework.RelationChild, "王雨萱", []string{"education", "low_income"}, 0, 6_000, "工会主动上门：子女考上大学"},
	}},
	{person{station: "tyfj", name: "任国栋", idBase: "14010619800505005", bank: "6222020500012345675", login: "ren-tyfj",
		family: []commands.FamilyMember{{Relation: org.RelationSpouse, Name: "刘秀英", BirthDate: "1982-02-14"}}}, []claim{
		{"MED-FAMILY-SERIOUS", casework.RelationSpouse, "刘秀英", []string{"serious_illness"}, 300_000, 40_000, "妻子多发性骨髓瘤，需骨髓移植"},
	}},
}

func (l *loader) stories() error {
	defs := map[string]catalogue.Definition{}
	for _, d := range catalogue.SampleCatalogue(l.root) {
		defs[d.Code] = d
	}
	for _, s := range stories {
		worker := l.workers[s.who.station]
		emp, _, err := l.app.RegisterEmployee(l.ctx, worker, commands.RegisterEmployee{
			UnitID: l.units[s.who.station], Name: s.who.name, IDNumber: withCheckDigit(s.who.idBase),
			Phone: "1380000" + s.who.idBase[13:], BankAccount: s.who.bank, Family: s.who.family,
		})
		if err != nil {
			return fmt.Errorf("employee %s: %w", s.who.name, err)
		}
		filer := worker
		if s.who.login != "" {
			id, _, err := l.app.OpenAccount(l.ctx, l.admin, commands.OpenAccount{Login: s.who.login, Password: Password, Name: s.who.name, EmployeeID: &emp})
			if err != nil {
				return fmt.Errorf("account of %s: %w", s.who.name, err)
			}
			filer = commands.Actor{AccountID: id, CommandID: "demo"}
		}
		for i, c := range s.claims {
			if err := l.claim(filer, emp, s.who.station, defs[c.standard], c, byte(i)); err != nil {
				return fmt.Errorf("%s, %s: %w", s.who.name, c.standard, err)
			}
		}
	}
	return nil
}

// claim runs one application from opening to the bank's confirmation.
func (l *loader) claim(filer commands.Actor, emp uuid.UUID, station string, def catalogue.Definition, c claim, seed byte) error {
	id, _, err := l.app.OpenCase(l.ctx, filer, commands.OpenCase{EmployeeID: emp, Beneficiary: c.beneficiary,
		BeneficiaryName: c.beneficiaryName, StandardCode: c.standard, Causes: c.causes,
		ExpenseFen: c.expenseYuan * yuan, RequestedFen: c.requestedYuan * yuan, Description: c.description})
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	for i, kind := range def.RequiredDocuments {
		if _, _, err := l.app.AddDocument(l.ctx, filer, commands.AddDocument{CaseID: id, Kind: kind, Content: photo(seed*16 + byte(i))}); err != nil {
			return fmt.Errorf("document %s: %w", kind, err)
		}
	}
	if _, err := l.app.SubmitCase(l.ctx, filer, commands.SubmitCase{CaseID: id}); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	view, err := l.query.GetCase(l.ctx, l.admin, id)
	if err != nil {
		return err
	}
	for _, step := range view.Steps {
		approver := l.ap[station]
		if step.Assignee == l.bureauAp.AccountID {
			approver = l.bureauAp
		}
		if _, err := l.app.DecideCase(l.ctx, approver, commands.DecideCase{CaseID: id, Step: step.Name,
			Decision: casework.Approve, AmountFen: c.requestedYuan * yuan, Reason: "材料齐全，符合标准"}); err != nil {
			return fmt.Errorf("step %s: %w", step.Name, err)
		}
	}
	paymentID, _, err := l.app.InstructPayment(l.ctx, l.admin, commands.InstructPayment{CaseID: id, AmountFen: c.requestedYuan * yuan})
	if err != nil {
		return fmt.Errorf("pay: %w", err)
	}
	return l.throughTheBank(paymentID)
}

// throughTheBank sends a payment to the bank as the bureau does: in a bank
// file, recorded with its hash, then settled by the bank's results file.
func (l *loader) throughTheBank(id uuid.UUID) error {
	rows, err := l.query.ExportDue(l.ctx, l.admin, l.root, func(context.Context) ([]uuid.UUID, error) { return []uuid.UUID{id}, nil })
	if err != nil {
		return fmt.Errorf("bank file: %w", err)
	}
	var file bytes.Buffer
	if err := payment.ExportCSV(&file, rows); err != nil {
		return err
	}
	if _, err := l.app.RecordBankExport(l.ctx, l.admin, commands.RecordBankExport{UnitID: l.root, SHA256: sha256Hex(file.Bytes()), Rows: rows}); err != nil {
		return fmt.Errorf("bank file: %w", err)
	}
	results := fmt.Sprintf("%s\n%s,confirmed,ICBC%s,,%s\n", payment.ReconciliationHeader, id, id.String()[:8],
		time.Now().In(calendar.Zone).Format(payment.DateLayout))
	settled, errs := payment.ParseReconciliation(strings.NewReader(results), 0)
	if len(errs) > 0 {
		return fmt.Errorf("results file: %v", errs)
	}
	if _, err := l.app.ReconcilePayments(l.ctx, l.admin, commands.ReconcilePayments{Rows: settled, FileSHA256: sha256Hex([]byte(results))}); err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// withCheckDigit completes a 17-digit resident ID number with its check
// character (GB 11643).
func withCheckDigit(base string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}
