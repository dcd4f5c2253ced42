package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type sampleBody struct {
	Name   string   `json:"name"`
	Level  string   `json:"level"`
	Amount int64    `json:"amount_fen"`
	Roles  []string `json:"roles"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, contentType string
		want                    error
	}{
		{"valid", `{"name":"太原站","level":"station","amount_fen":100,"roles":["caseworker"]}`, "application/json", nil},
		{"charset parameter", `{"name":"a"}`, "application/json; charset=utf-8", nil},
		{"no content type", `{"name":"a"}`, "", nil},
		{"unknown field", `{"name":"a","nmae":"b"}`, "application/json", errBadRequest},
		{"malformed", `{"name":`, "application/json", errBadRequest},
		{"not an object", `[1,2]`, "application/json", errBadRequest},
		{"wrong type", `{"amount_fen":"100"}`, "application/json", errBadRequest},
		{"float money", `{"amount_fen":1.5}`, "application/json", errBadRequest},
		{"empty", ``, "application/json", errBadRequest},
		{"trailing data", `{"name":"a"} {"name":"b"}`, "application/json", errBadRequest},
		{"wrong content type", `{"name":"a"}`, "text/plain", errBadRequest},
		{"too large", `{"name":"` + strings.Repeat("x", maxBody) + `"}`, "application/json", errTooLarge},
		{"duplicate member", `{"amount_fen":1,"amount_fen":1000000}`, "application/json", errBadRequest},
		{"member in another case", `{"NAME":"a"}`, "application/json", errBadRequest},
		{"member in another case, nested", `{"name":"a","roles":["x"],"Amount_fen":1}`, "application/json", errBadRequest},
		{"NUL escaped", `{"name":"a\u0000"}`, "application/json", errBadRequest},
		{"control character", `{"roles":["a\u001b[31m"]}`, "application/json", errBadRequest},
		{"line break in a name", `{"name":"a\nb"}`, "application/json", errBadRequest},
		{"invalid UTF-8", "{\"name\":\"\xff\xfe\"}", "application/json", errBadRequest},
		{"lone surrogate", `{"name":"\ud800"}`, "application/json", errBadRequest},
		{"C1 control", `{"level":"\u0085"}`, "application/json", errBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/units", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			var v sampleBody
			err := decodeJSON(httptest.NewRecorder(), r, &v)
			if tt.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want != nil {
				p, _, _ := problemFor(err)
				if want := map[error]int{errBadRequest: 400, errTooLarge: 413}[tt.want]; p.Status != want {
					t.Fatalf("problem status %d (%s), want %d", p.Status, p.Code, want)
				}
			}
		})
	}
}

// FuzzDecodeStrict: request bodies come from outside. Decoding never
// panics, and every failure is the client's (errBadRequest or errTooLarge).
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"a"}`, `{"roles":[1]}`, `{"amount_fen":9223372036854775808}`, `null`, `{"name":"\ud800"}`, `{"a":1}{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v sampleBody
		err := decodeStrict(bytes.NewReader(body), &v)
		if err != nil && !errors.Is(err, errBadRequest) && !errors.Is(err, errTooLarge) {
			t.Fatalf("decode %q: %v is not a client error", body, err)
		}
		if err != nil {
			return
		}
		for _, s := range append([]string{v.Name, v.Level}, v.Roles...) {
			if p := textProblem(s, false); p != "" {
				t.Fatalf("decode %q accepted %q, which %s", body, s, p)
			}
		}
	})
}
