package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// queryParameters lists, per route pattern ("GET /v1/cases"), the query
// parameters the OpenAPI document gives it. The document is the contract
// clients are generated from: a parameter it does not name is a client's
// mistake (a typo would otherwise widen a list silently), refused with 400.
func queryParameters(doc []byte) (map[string]map[string]bool, error) {
	type parameter struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	}
	var spec struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]parameter `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		return nil, fmt.Errorf("httpapi: the OpenAPI document: %w", err)
	}
	resolve := func(p parameter) (parameter, error) {
		if p.Ref == "" {
			return p, nil
		}
		name := strings.TrimPrefix(p.Ref, "#/components/parameters/")
		r, ok := spec.Components.Parameters[name]
		if !ok {
			return p, fmt.Errorf("httpapi: the OpenAPI document refers to no parameter %s", p.Ref)
		}
		return r, nil
	}
	out := map[string]map[string]bool{}
	for path, item := range spec.Paths {
		var shared []parameter
		if raw, ok := item["parameters"]; ok {
			if err := json.Unmarshal(raw, &shared); err != nil {
				return nil, fmt.Errorf("httpapi: parameters of %s: %w", path, err)
			}
		}
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				Parameters []parameter `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("httpapi: %s %s: %w", method, path, err)
			}
			names := map[string]bool{}
			for _, p := range append(append([]parameter{}, shared...), op.Parameters...) {
				p, err := resolve(p)
				if err != nil {
					return nil, err
				}
				if p.In == "query" {
					names[p.Name] = true
				}
			}
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out, nil
}

// checkQueryParameters refuses a query parameter the route does not take,
// and one sent without a value, naming it.
func checkQueryParameters(r *http.Request, allowed map[string]bool) error {
	for name, values := range r.URL.Query() {
		if !allowed[name] {
			return &fieldError{Field: name, Reason: "is not a parameter of this route"}
		}
		for _, v := range values {
			if v == "" {
				return &fieldError{Field: name, Reason: "must not be empty"}
			}
		}
	}
	return nil
}
