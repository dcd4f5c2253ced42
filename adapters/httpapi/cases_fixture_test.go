package httpapi

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
)

// caseWorld adds to orgOverHTTP what cases and payments need: a caseworker
// and a second approver at the root, the sample catalogue and a grant
// standard without documents (GRANT, hardship, a fixed 1,000 yuan),
// one-step hardship flows at stations A (approver@A) and B (the root's
// approver), and budgets at the root for every budget line.
type caseWorld struct {
	cwRoot, approverRoot string // tokens
	approverA, approverR uuid.UUID
	budgets              map[string]string // budget line → the root's budget
}

const (
	grantCode = "GRANT"
	grantFen  = 100_000
)

var (
	worldsMu sync.Mutex
	worlds   = map[*int]*caseWorld{}
)

// cases returns f's case world, built on first use.
func (f *orgOverHTTP) cases() *caseWorld {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	if w, ok := worlds[f.seq]; ok {
		return w
	}
	s, t, ctx := f.api, f.api.t, f.api.t.Context()
	root := f.rootToken()
	w := &caseWorld{budgets: map[string]string{}}
	cw := f.account(root, "", "worker.root", nil)
	s.create("/v1/accounts/"+cw+"/positions", root, position(f.root, access.RoleCaseworker))
	w.cwRoot = s.login("worker.root")
	ar := f.account(root, "", "approver.root", nil)
	s.create("/v1/accounts/"+ar+"/positions", root, position(f.root, access.RoleApprover))
	w.approverRoot = s.login("approver.root")
	w.approverR = uuid.MustParse(ar)
	w.approverA = f.actor(actorApprover).AccountID

	admin := f.actor(actorRootAdmin)
	rootID := uuid.MustParse(f.root)
	defs := append(catalogue.SampleCatalogue(rootID), catalogue.Definition{
		Code: grantCode, Name: "测试补助", Category: catalogue.CategoryHardship, OwnerUnitID: rootID,
		AmountRule: catalogue.FixedRule(grantFen), AnnualCapFen: 1_000 * grantFen, MaxTimesPerYear: 52,
		RequiredDocuments: []string{}, BudgetLine: "aid.grant", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf},
	})
	lines := map[string]bool{}
	for _, def := range defs {
		if _, err := s.env.App.PublishStandard(ctx, admin, commands.PublishStandard{Definition: def}); err != nil {
			t.Fatalf("publish %s: %v", def.Code, err)
		}
		lines[def.BudgetLine] = true
	}
	year := calendar.Year(time.Now())
	for line := range lines {
		id, _, err := s.env.App.AllocateBudget(ctx, admin, commands.AllocateBudget{UnitID: rootID, Year: year, Line: line, AmountFen: 10_000_000_00})
		if err != nil {
			t.Fatalf("budget %s: %v", line, err)
		}
		w.budgets[line] = id.String()
	}
	for unit, approver := range map[string]uuid.UUID{f.stationA: w.approverA, f.stationB: w.approverR} {
		steps := []casework.FlowStep{{Name: "审核", AssigneeAccountID: approver}}
		if _, _, err := s.env.App.ConfigureFlow(ctx, admin, commands.ConfigureFlow{UnitID: uuid.MustParse(unit), Category: "hardship", Steps: steps}); err != nil {
			t.Fatalf("flow: %v", err)
		}
	}
	worlds[f.seq] = w
	return w
}

// actor returns the commands actor behind a matrix actor's token.
func (f *orgOverHTTP) actor(name string) commands.Actor {
	a, err := f.api.env.App.Authenticate(f.api.t.Context(), f.tokens[name])
	if err != nil {
		f.api.t.Fatalf("authenticate %s: %v", name, err)
	}
	return a
}

// grantCase opens a GRANT case for employee as the root's caseworker.
func (f *orgOverHTTP) grantCase(employee string) string {
	return f.api.create("/v1/cases", f.cases().cwRoot, grantBody(employee))
}

func grantBody(employee string) map[string]any {
	return map[string]any{"employee_id": employee, "beneficiary": map[string]any{"relation": "self"},
		"standard_code": grantCode, "causes": []string{"illness"}, "requested_fen": grantFen, "description": "家庭生活困难"}
}

// submitted opens and submits a GRANT case.
func (f *orgOverHTTP) submitted(employee string) string {
	id := f.grantCase(employee)
	f.api.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/submit", f.cases().cwRoot, nil)
	return id
}

// approved opens, submits and approves a GRANT case; the employee must be
// at station A or B.
func (f *orgOverHTTP) approved(employee string) string {
	id := f.submitted(employee)
	approver := f.tokens[actorApprover]
	if employee == f.empB {
		approver = f.cases().approverRoot
	}
	f.api.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", approver,
		map[string]any{"step": "审核", "decision": "approve", "amount_fen": grantFen})
	return id
}

// instructed returns a payment of the whole grant of an approved case.
func (f *orgOverHTTP) instructed(employee string) string {
	id := f.approved(employee)
	out := f.api.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": grantFen})
	return out["payment_id"].(string)
}

// The steps of the two-step flow: station A's approver, then the root's.
const (
	stepStation = "站段审核"
	stepBureau  = "路局审批"
)

// twoStepFlows configures, at station A, a two-step flow for each category:
// stepStation decided by approver@A, then stepBureau by the root's approver.
func (f *orgOverHTTP) twoStepFlows(categories ...catalogue.Category) {
	w, t := f.cases(), f.api.t
	steps := []casework.FlowStep{{Name: stepStation, AssigneeAccountID: w.approverA}, {Name: stepBureau, AssigneeAccountID: w.approverR}}
	for _, category := range categories {
		if _, _, err := f.api.env.App.ConfigureFlow(t.Context(), f.actor(actorRootAdmin),
			commands.ConfigureFlow{UnitID: uuid.MustParse(f.stationA), Category: string(category), Steps: steps}); err != nil {
			t.Fatalf("flow for %s: %v", category, err)
		}
	}
}

// paidThroughTwoSteps approves case id for fen at both steps of a two-step
// flow, instructs its payment and confirms it with confirm's fields; it
// returns the payment's id.
func (f *orgOverHTTP) paidThroughTwoSteps(id string, fen int64, confirm map[string]any) string {
	s := f.api
	s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.tokens[actorApprover],
		map[string]any{"step": stepStation, "decision": "approve", "amount_fen": fen})
	s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+id+"/decisions", f.cases().approverRoot,
		map[string]any{"step": stepBureau, "decision": "approve", "amount_fen": fen})
	pay := s.must(http.StatusCreated, http.MethodPost, "/v1/cases/"+id+"/payments", f.rootToken(), map[string]any{"amount_fen": fen})
	pid := pay["payment_id"].(string)
	s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+pid+"/confirm", f.rootToken(), confirm)
	return pid
}

// tinyPNG is a valid 1×1 PNG.
func tinyPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyPDF is a minimal PDF, as a document photo's stand-in.
func tinyPDF(kind string) []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + kind + "\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

// upload builds a document form; it returns the body and its content type.
func upload(t testing.TB, kind string, content []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("kind", kind); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", kind+".bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), mw.FormDataContentType()
}

// attach uploads content as a document of kind to case id as token; the
// upload must be accepted.
func (s *testAPI) attach(id, token, kind string, content []byte) {
	s.t.Helper()
	form, ct := upload(s.t, kind, content)
	if rec := s.doAs(http.MethodPost, "/v1/cases/"+id+"/documents", token, ct, form); rec.Code != http.StatusCreated {
		s.t.Fatalf("upload %s to case %s: %d %s", kind, id, rec.Code, rec.Body)
	}
}

// doAs sends body with contentType.
func (s *testAPI) doAs(method, path, token, contentType string, body []byte) *httptest.ResponseRecorder {
	s.t.Helper()
	req := s.request(method, path, token, body)
	req.Header.Set("Content-Type", contentType)
	return s.serve(req)
}
