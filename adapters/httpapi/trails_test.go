package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
)

// An auditor follows a paid grant's money: the case's trail sums to what
// was paid, the payment's trail opens with the approval that allowed it,
// the budget's running figures end where the budget stands, the
// employee's trail holds the annual cap used, and as_of cuts each trail
// where the history stood. Every trail read leaves exactly one record.
func TestAuditorFollowsTheMoney(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		auditor := f.tokens[actorAuditor]
		pid := f.instructed(f.empA)
		pay := s.must(http.StatusOK, http.MethodGet, "/v1/payments/"+pid, auditor, nil)
		caseID, budgetID := pay["case_id"].(string), pay["budget_id"].(string)
		beforeConfirm := s.head()
		s.must(http.StatusOK, http.MethodPost, "/v1/payments/"+pid+"/confirm", f.rootToken(), map[string]any{"bank_ref": "BOC-20260301-1"})
		now := url.Values{"min_position": {strconv.FormatInt(s.head(), 10)}}

		read := func(path string, q url.Values) []map[string]any {
			t.Helper()
			token := auditor
			if strings.HasPrefix(path, "/v1/budgets/") {
				token = f.rootToken() // the grant's budget is the root's, above the auditor at A
			}
			before := s.head()
			items := s.everyPage(path, token, q, 2)
			pages := max(1, (len(items)+1)/2)
			if reads := countOf(s.eventsAfter(before), query.TypeTrailRead); reads != pages {
				t.Errorf("GET %s in %d pages recorded %d reads", path, pages, reads)
			}
			return items
		}
		types := func(items []map[string]any) map[string]int {
			out := map[string]int{}
			for _, it := range items {
				out[it["type"].(string)]++
			}
			return out
		}
		fen := func(it map[string]any) int64 {
			v, _ := it["amount_fen"].(float64)
			return int64(v)
		}

		caseTrail := read("/v1/cases/"+caseID+"/trail", now)
		leaves := map[float64]string{}
		for _, e := range s.eventsAfter(0) {
			h := event.LeafHash(e)
			leaves[float64(e.Position)] = hex.EncodeToString(h[:])
		}
		var paid int64
		for _, it := range caseTrail {
			if it["leaf_hash"] != leaves[it["position"].(float64)] {
				t.Errorf("entry at %v has leaf hash %v; the event's is %s", it["position"], it["leaf_hash"], leaves[it["position"].(float64)])
			}
			if it["type"] == casework.TypeCasePaymentConfirmed {
				paid += fen(it)
			}
			if len(it["leaf_hash"].(string)) != 64 || it["actor"].(map[string]any)["account_id"] == nil {
				t.Errorf("entry without leaf hash or actor: %v", it)
			}
		}
		c := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+caseID, auditor, nil)
		if paid != int64(c["paid_fen"].(float64)) || paid != grantFen {
			t.Fatalf("the case's trail pays %d; the case says %v, the grant was %d", paid, c["paid_fen"], grantFen)
		}
		if n := types(caseTrail); n[casework.TypeCaseOpened] != 1 || n[budget.TypeReserved] != 1 || n[budget.TypeSpent] != 1 || n[payment.TypeInstructed] != 1 {
			t.Errorf("the case's trail holds %v", n)
		}

		payTrail := read("/v1/payments/"+pid+"/trail", now)
		if payTrail[0]["type"] != casework.TypeCaseStepDecided || types(payTrail)[casework.TypeCaseApproved] != 1 ||
			payTrail[len(payTrail)-1]["type"] != payment.TypeConfirmed && payTrail[len(payTrail)-1]["type"] != budget.TypeSpent {
			t.Errorf("the payment's trail runs %v", column(payTrail, "type"))
		}

		budgetTrail := read("/v1/budgets/"+budgetID+"/trail", now)
		last := budgetTrail[len(budgetTrail)-1]["budget"].(map[string]any)
		b := s.must(http.StatusOK, http.MethodGet, "/v1/budgets/"+budgetID, f.rootToken(), nil)
		for _, k := range []string{"allocated_fen", "reserved_fen", "spent_fen", "available_fen"} {
			if last[k] != b[k] {
				t.Errorf("the budget's trail ends with %s %v; the budget says %v", k, last[k], b[k])
			}
		}

		empTrail := read("/v1/employees/"+f.empA+"/trail", now)
		if n := types(empTrail); n[casework.TypeAidApproved] != 1 || n[casework.TypeCaseOpened] < 1 {
			t.Errorf("the employee's trail holds %v", n)
		}

		then := read("/v1/cases/"+caseID+"/trail", url.Values{"as_of": {"position:" + strconv.FormatInt(beforeConfirm, 10)}})
		for _, it := range then {
			if int64(it["position"].(float64)) > beforeConfirm {
				t.Fatalf("as_of position:%d shows position %v", beforeConfirm, it["position"])
			}
		}
		if len(then) >= len(caseTrail) || types(then)[casework.TypeCasePaymentConfirmed] != 0 {
			t.Errorf("as of before the confirmation the trail holds %v", column(then, "type"))
		}
		// By time: the moment the last event before the confirmation was recorded.
		var at time.Time
		for _, e := range s.eventsAfter(0) {
			if e.Position == beforeConfirm {
				at = e.RecordedAt
			}
		}
		byTime := read("/v1/cases/"+caseID+"/trail", url.Values{"as_of": {at.Format(time.RFC3339Nano)}})
		if !slices.Equal(column(byTime, "leaf_hash"), column(then, "leaf_hash")) {
			t.Errorf("as of %s the trail holds %v; as of position %d, %v", at.Format(time.RFC3339Nano), column(byTime, "type"), beforeConfirm, column(then, "type"))
		}

		s.deniedOnRecord("an auditor of A reading the root's budget's trail",
			s.request(http.MethodGet, "/v1/budgets/"+budgetID+"/trail", auditor, nil))
		s.deniedOnRecord("a caseworker reading a budget's trail",
			s.request(http.MethodGet, "/v1/budgets/"+budgetID+"/trail", f.tokens[actorCaseworker], nil))
		s.deniedOnRecord("an analyst reading an employee's trail",
			s.request(http.MethodGet, "/v1/employees/"+f.empA+"/trail", f.tokens[actorAnalyst], nil))
	})
}

// trailMatrixRows: each trail is read by those who may read its subject,
// inside their subtree (an employee's by the employee and audit.read);
// every read is recorded, a refusal too.
func trailMatrixRows() []matrixRow {
	caseRead := readPerms
	return []matrixRow{
		{route: "GET /v1/cases/{id}/trail", perms: caseRead, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/cases/" + f.submitted(f.ownOr(sc)) + "/trail"}
			}},
		{route: "GET /v1/payments/{id}/trail", perms: caseRead, allowed: caseReaders, self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/payments/" + f.instructed(f.ownOr(sc)) + "/trail"}
			}},
		{route: "GET /v1/budgets/{id}/trail", perms: perms(access.BudgetReadPermissions()...), allowed: moneyReaders, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/budgets/" + f.budget(pick(sc, f.workshopA, f.workshopB)) + "/trail"}
			}},
		{route: "GET /v1/employees/{id}/trail", perms: perms(access.PermAuditRead), allowed: []access.Role{access.RoleBureauAdmin, access.RoleAuditor},
			self: true, ok: 200, scopes: inAndOut, list: true, records: query.TypeTrailRead,
			prepare: func(f *orgOverHTTP, _ matrixActor, sc scope) cell {
				return cell{path: "/v1/employees/" + f.ownOr(sc) + "/trail"}
			}},
	}
}

// A trail downloads whole as CSV and as XLSX for auditors' tools: the
// same entries as the JSON pages, amounts in yuan with two decimals,
// under Chinese headers, in one recorded read.
func TestTrailDownloads(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s := f.api
		auditor := f.tokens[actorAuditor]
		caseID := f.approved(f.empA)
		q := "min_position=" + strconv.FormatInt(s.head(), 10)
		entries := s.everyPage("/v1/cases/"+caseID+"/trail", auditor, url.Values{"min_position": {strconv.FormatInt(s.head(), 10)}}, 50)

		before := s.head()
		rec := s.do(http.MethodGet, "/v1/cases/"+caseID+"/trail?format=csv&"+q, auditor, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentTypeCSV {
			t.Fatalf("csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		if reads := countOf(s.eventsAfter(before), query.TypeTrailRead); reads != 1 {
			t.Errorf("a download recorded %d reads", reads)
		}
		records, err := csv.NewReader(bytes.NewReader(rec.Body.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != len(entries)+1 || records[0][0] != "全局位置" || records[0][9] != "金额（元）" {
			t.Fatalf("csv of %d records for %d entries: %v", len(records), len(entries), records[0])
		}
		for i, e := range entries {
			want := ""
			if v, ok := e["amount_fen"].(float64); ok {
				want = yuan(int64(v))
			}
			if records[i+1][0] != strconv.Itoa(int(e["position"].(float64))) || records[i+1][9] != want || records[i+1][11] != e["leaf_hash"] {
				t.Errorf("csv row %d %v; entry %v", i+1, records[i+1], e)
			}
		}

		rec = s.do(http.MethodGet, "/v1/cases/"+caseID+"/trail?format=xlsx&"+q, auditor, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != contentTypeXLSX {
			t.Fatalf("xlsx: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		sheet := book.GetSheetList()[0]
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(entries)+1 || rows[0][9] != "金额（元）" {
			t.Fatalf("xlsx of %d rows for %d entries", len(rows), len(entries))
		}
		for i, e := range entries {
			if v, ok := e["amount_fen"].(float64); ok && rows[i+1][9] != yuan(int64(v)) {
				t.Errorf("xlsx row %d amount %q, want %s", i+1, rows[i+1][9], yuan(int64(v)))
			}
		}
		p := s.refused("an unknown format", s.request(http.MethodGet, "/v1/cases/"+caseID+"/trail?format=pdf", auditor, nil),
			http.StatusBadRequest, codeValidation)
		if p.Field != "format" {
			t.Errorf("field %q, want format", p.Field)
		}
	})
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 100: "1.00", 123456: "1234.56", -250: "-2.50"} {
		if got := yuan(fen); got != want {
			t.Errorf("yuan(%d) = %q, want %q", fen, got, want)
		}
	}
}

// Bank files are evidence: a payment's trail names the file it left in
// and the results file that settled it, each by the SHA-256 of the bytes
// that crossed the API, so the files can be checked later.
func TestEachPaymentLeadsToItsBankFiles(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, root := f.api, f.rootToken()
		pid := f.instructed(f.empA)
		rec := s.do(http.MethodGet, s.exportURL(f.root), root, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("export: %d %s", rec.Code, rec.Body)
		}
		exported := sha256.Sum256(rec.Body.Bytes())
		results := ReconHeader + pid + ",confirmed,BOC-EVIDENCE-1,,2026-11-27\n"
		if rec := s.doAs(http.MethodPost, "/v1/payments/reconcile", root, "text/csv", []byte(results)); rec.Code != http.StatusOK {
			t.Fatalf("reconcile: %d %s", rec.Code, rec.Body)
		}
		settled := sha256.Sum256([]byte(results))

		trail := s.everyPage("/v1/payments/"+pid+"/trail", f.tokens[actorAuditor],
			url.Values{"min_position": {strconv.FormatInt(s.head(), 10)}}, 50)
		files := map[string]string{}
		for _, e := range trail {
			if docs := e["documents"].([]any); len(docs) == 1 {
				files[e["type"].(string)] = docs[0].(string)
			}
		}
		if files[payment.TypeBankFileExported] != hex.EncodeToString(exported[:]) ||
			files[payment.TypeBankFileReconciled] != hex.EncodeToString(settled[:]) {
			t.Fatalf("the payment's trail names the files %v; exported %x, settled by %x", files, exported, settled)
		}
	})
}
