package query

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/casework"
	"aidtrail/domain/event"
)

// FuzzWhatIfDecode holds the replay's scanner to encoding/json: for any
// payload, each of the four kinds the replay reads decodes to the value
// encoding/json gives, or fails where it fails.
func FuzzWhatIfDecode(f *testing.F) {
	id := uuid.MustParse("0193f3a4-5b6c-7d8e-9f00-112233445566")
	seeds := []any{
		casework.CaseOpened{CaseID: id, EmployeeID: id, UnitID: id, Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf, Name: "sealed:v1:x"},
			StandardCode: "MED-SERIOUS", Category: "medical", Causes: []string{"serious_illness"}, ExpenseFen: 12_000_000, RequestedFen: 3_000_000,
			Description: "sealed:v1:y", OpenedByAccountID: id, OnBehalf: true},
		casework.Document{Kind: "invoice", SHA256: "ab", Size: 2048, ContentType: "application/pdf"},
		casework.CaseSubmitted{StandardVersion: 2, MaxPayableFen: 3_000_000, AmountFen: 3_000_000, FlowUnitID: id,
			Steps: []casework.CaseStep{{Name: "站段工会审核", AssigneeAccountID: id}}},
		casework.AidApproved{CaseID: id, StandardCode: "MED-SERIOUS", AmountFen: 3_000_000},
	}
	for _, s := range seeds {
		data, err := json.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		// As PostgreSQL's jsonb writes them back: keys by length, spaces.
		`{"kind": "invoice", "size": 2048, "sha256": "ab", "content_type": "application/pdf"}`,
		`{"case_id": "0193f3a4-5b6c-7d8e-9f00-112233445566", "amount_fen": 3000000, "standard_code": "MED-SERIOUS"}`,
		`{"Kind":"a","kind":"b"}`, `{"kind":"a","kind":"b"}`, `{"kind":"\u0041"}`, `{"k\u0069nd":"a"}`, `{"kind":null}`,
		`{"kind":"a\xffb"}`, `{"amount_fen":1e3}`, `{"amount_fen":1.0}`, `{"amount_fen":01}`, `{"amount_fen":-0}`,
		`{"amount_fen":99999999999999999999}`, `{"standard_version":9223372036854775807}`, `{"beneficiary":null}`,
		`{"beneficiary":{"relation":"self","RELATION":"child"}}`, `{"beneficiary":"self"}`, `{"case_id":"urn:uuid:0193f3a4-5b6c-7d8e-9f00-112233445566"}`,
		`{"x":[1,{"y":[true,false,null,"\"",-1.5e-3]}]}`, `{"x":tru}`, `{"kind":"a"} x`, `{"kind":"a",}`, `null`, `[]`, `"kind"`, ` { } `,
		`{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`, `{"ſ":1,"K":2}`, `{"caſe_id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e := event.Recorded{Type: "fuzz", Data: data}
		check[openedFacts](t, e)
		check[documentFacts](t, e)
		check[submittedFacts](t, e)
		check[grantFacts](t, e)
	})
}

// check decodes e as a T with the scanner and with encoding/json alone.
func check[T any, R interface {
	*T
	read(key, value []byte) bool
}](t *testing.T, e event.Recorded) {
	t.Helper()
	fast, fastErr := decodeFast[T, R](e)
	var slow T
	slowErr := json.Unmarshal(e.Data, &slow)
	if (fastErr == nil) != (slowErr == nil) {
		t.Fatalf("%q as %T: the scanner says %v, encoding/json %v", e.Data, slow, fastErr, slowErr)
	}
	if fastErr == nil && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: the scanner reads %+v, encoding/json %+v", e.Data, fast, slow)
	}
}

// The payloads the live system writes, as encoding/json writes them and
// as PostgreSQL's jsonb gives them back, are read by the scanner itself,
// not handed to encoding/json.
func TestWhatIfScannerReadsStoredPayloads(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		data string
		read func(key, value []byte) bool
	}{
		{`{"case_id":"0193f3a4-5b6c-7d8e-9f00-112233445566","employee_id":"0193f3a4-5b6c-7d8e-9f00-112233445567","unit_id":"0193f3a4-5b6c-7d8e-9f00-112233445568","beneficiary":{"relation":"self","name":"sealed:v1:x"},"standard_code":"MED-SERIOUS","category":"medical","causes":["serious_illness"],"expense_fen":12000000,"requested_fen":3000000,"description":"sealed:v1:y","opened_by_account_id":"0193f3a4-5b6c-7d8e-9f00-112233445569","on_behalf":true}`,
			new(openedFacts).read},
		{`{"causes": ["serious_illness"], "case_id": "0193f3a4-5b6c-7d8e-9f00-112233445566", "unit_id": "0193f3a4-5b6c-7d8e-9f00-112233445568", "category": "medical", "on_behalf": false, "beneficiary": {"name": "sealed:v1:x", "relation": "self"}, "description": "sealed:v1:y", "employee_id": "0193f3a4-5b6c-7d8e-9f00-112233445567", "expense_fen": 12000000, "requested_fen": 3000000, "standard_code": "MED-SERIOUS", "opened_by_account_id": "0193f3a4-5b6c-7d8e-9f00-112233445569"}`,
			new(openedFacts).read},
		{`{"kind": "invoice", "size": 2048, "sha256": "ab", "content_type": "application/pdf"}`, new(documentFacts).read},
		{`{"steps": [{"name": "站段工会审核", "assignee_account_id": "0193f3a4-5b6c-7d8e-9f00-112233445566"}], "amount_fen": 3000000, "flow_unit_id": "0193f3a4-5b6c-7d8e-9f00-112233445566", "flow_version": 1, "max_payable_fen": 3000000, "standard_version": 2}`,
			new(submittedFacts).read},
		{`{"case_id": "0193f3a4-5b6c-7d8e-9f00-112233445566", "amount_fen": 3000000, "standard_code": "MED-SERIOUS"}`, new(grantFacts).read},
	} {
		s := scanner{data: []byte(c.data)}
		if !s.object(c.read, 0) || !s.end() {
			t.Errorf("the scanner hands %s to encoding/json", c.data)
		}
	}
}
