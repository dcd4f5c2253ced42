package httpapi

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Conformance of every answer the tests receive to the OpenAPI document,
// as a client generated from it expects: the status is one the operation
// documents, the content type one documented for that status, and a JSON
// body valid against its schema (JSON Schema 2020-12, as OpenAPI 3.1
// uses). testAPI.serve checks every answer it records.

const specURL = "file:///openapi.json"

type conformance struct {
	routes   *http.ServeMux // the route table's patterns, to name a request's operation
	doc      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

var (
	conformOnce sync.Once
	conformer   *conformance
	conformErr  error
)

func theConformance() (*conformance, error) {
	conformOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
		if err != nil {
			conformErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource(specURL, doc); err != nil {
			conformErr = err
			return
		}
		routes := http.NewServeMux()
		for _, rt := range (&api{}).routes() {
			routes.HandleFunc(rt.method+" "+rt.path, func(http.ResponseWriter, *http.Request) {})
		}
		conformer = &conformance{routes: routes, doc: doc.(map[string]any), compiler: c, schemas: map[string]*jsonschema.Schema{}}
	})
	return conformer, conformErr
}

// check returns what is wrong with rec as the answer to req, "" when
// nothing is. Answers to requests no route takes are not checked.
func (c *conformance) check(req *http.Request, rec *httptest.ResponseRecorder) string {
	_, pattern := c.routes.Handler(req)
	if pattern == "" {
		return ""
	}
	method, path, _ := strings.Cut(pattern, " ")
	op, _ := dig(c.doc, "paths", path, strings.ToLower(method)).(map[string]any)
	if op == nil {
		return fmt.Sprintf("%s is not in the document", pattern)
	}
	status := fmt.Sprint(rec.Code)
	resp, ok := dig(op, "responses", status).(map[string]any)
	if !ok {
		return fmt.Sprintf("%s answered %d, which it does not document: %s", pattern, rec.Code, rec.Body)
	}
	pointer := "#/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + status
	if ref, ok := resp["$ref"].(string); ok {
		pointer = ref
		resp, _ = dig(c.doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...).(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if rec.Body.Len() > 0 {
			return fmt.Sprintf("%s %d documents no body but sent %q", pattern, rec.Code, rec.Body)
		}
		return ""
	}
	ct, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil {
		return fmt.Sprintf("%s %d: Content-Type %q: %v", pattern, rec.Code, rec.Header().Get("Content-Type"), err)
	}
	media, ok := content[ct].(map[string]any)
	if !ok {
		return fmt.Sprintf("%s %d sent %s, which it does not document", pattern, rec.Code, ct)
	}
	if _, ok := media["schema"]; !ok || (ct != "application/json" && ct != "application/problem+json") {
		return ""
	}
	schema, err := c.schema(pointer + "/content/" + escape(ct) + "/schema")
	if err != nil {
		return fmt.Sprintf("%s %d: schema: %v", pattern, rec.Code, err)
	}
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		return fmt.Sprintf("%s %d: body is not JSON: %v", pattern, rec.Code, err)
	}
	if err := schema.Validate(body); err != nil {
		return fmt.Sprintf("%s %d: %s does not conform: %v", pattern, rec.Code, rec.Body, err)
	}
	return ""
}

func (c *conformance) schema(pointer string) (*jsonschema.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.schemas[pointer]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(specURL + pointer)
	if err == nil {
		c.schemas[pointer] = s
	}
	return s, err
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// escape is a JSON Pointer reference token.
func escape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// The conformance check itself: it finds an undocumented status, an
// undocumented content type and a body off its schema, and passes a
// documented problem.
func TestConformanceFindsWhatIsOffTheDocument(t *testing.T) {
	t.Parallel()
	c, err := theConformance()
	if err != nil {
		t.Fatal(err)
	}
	answer := func(status int, contentType, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", contentType)
		rec.WriteHeader(status)
		rec.WriteString(body)
		return rec
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/units/0196f7a0-0000-7000-8000-000000000001", nil)
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"undocumented status":       answer(http.StatusTeapot, "application/json", `{}`),
		"undocumented content type": answer(http.StatusOK, "text/plain", `unit`),
		"body off its schema":       answer(http.StatusOK, "application/json", `{"id":1}`),
		"problem off its schema":    answer(http.StatusNotFound, "application/problem+json", `{"status":"404"}`),
	} {
		if c.check(req, rec) == "" {
			t.Errorf("%s passed", name)
		}
	}
	problem := `{"type":"urn:aidtrail:problem:not_found","title":"Not found","status":404,"detail":"unit: not found","code":"not_found","instance":"/v1/units/x"}`
	if p := c.check(req, answer(http.StatusNotFound, "application/problem+json", problem)); p != "" {
		t.Errorf("a documented problem: %s", p)
	}
}
