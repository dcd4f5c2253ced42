package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type   string `json:"type"`
			Scheme string `json:"scheme"`
		} `json:"securitySchemes"`
		Schemas struct {
			Problem struct {
				Required   []string `json:"required"`
				Properties struct {
					Code struct {
						Enum []string `json:"enum"`
					} `json:"code"`
				} `json:"properties"`
			} `json:"Problem"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	return doc
}

// TestOpenAPIMatchesRoutes holds the document and the route table to each
// other in both directions.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	a := &api{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := newTestHandler(t, storeFunc(func(context.Context) (int64, error) { return 0, nil }))

	served := map[string]bool{}
	for _, rt := range a.routes() {
		key := rt.method + " " + rt.path
		served[key] = true
		if _, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]; !ok {
			t.Errorf("route %s is served but not in openapi.json", key)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "parameters", "summary", "description", "servers":
				continue
			}
			key := strings.ToUpper(method) + " " + path
			if !served[key] {
				t.Errorf("openapi.json documents %s, which the route table does not serve", key)
			}
			// And the handler built from the table answers it.
			rec := get(t, h, strings.ToUpper(method), pathParam.ReplaceAllString(path, "x"))
			if rec.Code == http.StatusMethodNotAllowed || strings.Contains(rec.Body.String(), noRouteDetail) {
				t.Errorf("openapi.json documents %s, but the handler answers %d %s", key, rec.Code, rec.Body)
			}
		}
	}
}

func TestOpenAPIDescribesProblems(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	if s := doc.Components.SecuritySchemes["bearerAuth"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearerAuth = %+v, want http bearer", s)
	}
	for _, f := range []string{"type", "title", "status", "detail", "code"} {
		if !slices.Contains(doc.Components.Schemas.Problem.Required, f) {
			t.Errorf("Problem schema does not require %q", f)
		}
	}
	enum := doc.Components.Schemas.Problem.Properties.Code.Enum
	for code := range problemKinds {
		if !slices.Contains(enum, code) {
			t.Errorf("code %q is answered but not in the Problem schema's enum", code)
		}
	}
	for _, code := range enum {
		if _, ok := problemKinds[code]; !ok {
			t.Errorf("the Problem schema lists %q, which the API never answers with", code)
		}
	}
}

func TestServedOpenAPIIsTheEmbeddedDocument(t *testing.T) {
	t.Parallel()
	rec := get(t, newTestHandler(t, storeFunc(nil)), http.MethodGet, "/openapi.json")
	if rec.Code != http.StatusOK || rec.Body.String() != string(openAPIDocument) {
		t.Fatalf("GET /openapi.json = %d, body differs from the embedded document", rec.Code)
	}
}

// TestOpenAPISecurityFollowsRoutes: the document says which operations need
// a bearer token exactly as the route table decides it, and every
// protected operation documents its 401.
func TestOpenAPISecurityFollowsRoutes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	a := &api{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, rt := range a.routes() {
		var op struct {
			Security  *[]map[string][]string     `json:"security"`
			Responses map[string]json.RawMessage `json:"responses"`
		}
		raw, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if !ok {
			continue // TestOpenAPIMatchesRoutes reports it
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("%s %s: %v", rt.method, rt.path, err)
		}
		documentedPublic := op.Security != nil && len(*op.Security) == 0
		if documentedPublic != (rt.access == public) {
			t.Errorf("%s %s: public in openapi.json = %v, in the route table = %v", rt.method, rt.path, documentedPublic, rt.access == public)
		}
		if rt.access == authenticated {
			if _, ok := op.Responses["401"]; !ok {
				t.Errorf("%s %s needs a token but documents no 401", rt.method, rt.path)
			}
		}
	}
}

// TestOpenAPIReferencesResolve: every $ref points at a component that exists.
func TestOpenAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var node any = doc
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := node.(map[string]any)
					node = m[part]
				}
				if node == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}
