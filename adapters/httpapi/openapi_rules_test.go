package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// What a client generated from /openapi.json relies on, held for every
// operation: the problems a parameter can cause are documented where the
// parameter is taken, every operation is tagged, links name operations
// that exist, and the document says where the service is.
func TestOpenAPIDocumentsWhatEachParameterCanCause(t *testing.T) {
	t.Parallel()
	var doc struct {
		Servers []struct{ URL string }  `json:"servers"`
		Tags    []struct{ Name string } `json:"tags"`
		Paths   map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 {
		t.Error("no servers")
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = true
	}
	type operation struct {
		OperationID string   `json:"operationId"`
		Tags        []string `json:"tags"`
		Parameters  []struct {
			Ref string `json:"$ref"`
		} `json:"parameters"`
		Responses map[string]struct {
			Links map[string]struct {
				OperationID string `json:"operationId"`
			} `json:"links"`
		} `json:"responses"`
	}
	ops := map[string]operation{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	ids := map[string]bool{}
	for _, op := range ops {
		ids[op.OperationID] = true
	}
	for key, op := range ops {
		if len(op.Tags) != 1 || !tags[op.Tags[0]] {
			t.Errorf("%s: tags %v, want one of the document's tags", key, op.Tags)
		}
		for _, p := range op.Parameters {
			want := map[string]string{
				"#/components/parameters/IdempotencyKey": "422",
				"#/components/parameters/MinPosition":    "503",
			}[p.Ref]
			if _, ok := op.Responses[want]; want != "" && !ok {
				t.Errorf("%s takes %s but documents no %s", key, p.Ref, want)
			}
		}
		if _, ok := op.Responses["500"]; !ok && !strings.HasPrefix(key, "GET /healthz") && !strings.HasPrefix(key, "GET /openapi.json") && !strings.HasPrefix(key, "GET /readyz") {
			t.Errorf("%s documents no 500", key)
		}
		for status, r := range op.Responses {
			for name, l := range r.Links {
				if !ids[l.OperationID] {
					t.Errorf("%s %s: link %s names no operation %q", key, status, name, l.OperationID)
				}
			}
		}
	}
}

// A query parameter a route does not take, or one sent empty, is refused
// with 400 naming it: a typo must not widen a list silently.
func TestUnknownOrEmptyQueryParametersAreRefused(t *testing.T) {
	t.Parallel()
	s := newTestAPI(t, "sqlite")
	token := s.env.BootstrapToken
	for target, field := range map[string]string{
		"/v1/cases?statuz=paid": "statuz",
		"/v1/cases?status=":     "status",
		"/v1/standards?limit=5": "limit",
		"/v1/cases/abc?x=1":     "x",
		"/v1/inbox?cursor=":     "cursor",
	} {
		p := problemOf(t, s.do(http.MethodGet, target, token, nil), http.StatusBadRequest, codeValidation)
		if p.Field != field {
			t.Errorf("%s: field %q, want %q", target, p.Field, field)
		}
	}
	s.must(http.StatusOK, http.MethodGet, "/v1/cases?status=draft&limit=5", token, nil)
}

// Every route of the table has its query parameters in the document (an
// empty list for most commands).
func TestEveryRouteHasItsQueryParameters(t *testing.T) {
	t.Parallel()
	params, err := queryParameters(openAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range (&api{}).routes() {
		if _, ok := params[rt.method+" "+rt.path]; !ok {
			t.Errorf("%s %s: not in the OpenAPI document", rt.method, rt.path)
		}
	}
}
