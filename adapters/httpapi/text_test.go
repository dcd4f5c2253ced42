package httpapi

import (
	"errors"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestTextProblem(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s         string
		multiline bool
		ok        bool
	}{
		{"太原站 Taiyuan-1", false, true},
		{"", false, true},
		{"第一行\n第二行\r\n\t缩进", true, true},
		{"a\nb", false, false},
		{"a\x00b", true, false},
		{"\xff\xfe", true, false},
		{"a\ufffdb", false, false},
		{"\x1b[31m", true, false},
		{"a\x7f", false, false},
		{"a\u0085", true, false},
	} {
		if got := textProblem(tt.s, tt.multiline) == ""; got != tt.ok {
			t.Errorf("textProblem(%q, %v) accepts = %v, want %v", tt.s, tt.multiline, got, tt.ok)
		}
	}
}

func TestCheckURLText(t *testing.T) {
	t.Parallel()
	for target, field := range map[string]string{
		"/v1/standards/a%00b":           "path",
		"/v1/standards/%ff%fe":          "path",
		"/v1/cases?standard_code=%00":   "standard_code",
		"/v1/cases?status=%c2%85":       "status",
		"/v1/cases/../../etc/passwd":    "path",
		"/v1/cases/%2e%2e/x":            "path",
		"/v1/units/./x":                 "path",
		"/v1/cases?%ff=1":               "query",
		"/v1/cases?unit_id=abc&x=a%0Ab": "x",
		"/v1/cases?status=%zz":          "query",
		"/v1/cases?status=draft;":       "query",
	} {
		err := checkURLText(httptest.NewRequest("GET", "http://x"+target, nil))
		var fe *fieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v, want a field error on %s", target, err, field)
		}
	}
	for _, target := range []string{"/v1/standards/HARD-LIVING", "/v1/cases?standard_code=%E5%8C%BB&limit=5", "/v1/units/x..y"} {
		if err := checkURLText(httptest.NewRequest("GET", "http://x"+target, nil)); err != nil {
			t.Errorf("%s refused: %v", target, err)
		}
	}
}

// The case check follows encoding/json's field rules: an embedded struct's
// fields count below the outer ones, and a map's values are checked with
// their own type.
func TestJSONMemberCaseFollowsTheDecoder(t *testing.T) {
	t.Parallel()
	type inner struct {
		Name string `json:"name"`
	}
	type leaf struct {
		A string `json:"a"`
	}
	type request struct {
		inner
		Name struct {
			X string `json:"x"`
		} `json:"name"`
		M map[string]leaf `json:"m"`
	}
	target := reflect.TypeFor[request]()
	for body, ok := range map[string]bool{
		`{"name":{"x":"a"}}`:    true,
		`{"name":{"X":"a"}}`:    false, // the outer name is the struct, whose member is x
		`{"m":{"k":{"a":"x"}}}`: true,
		`{"m":{"k":{"A":"x"}}}`: false,
		`{"M":{}}`:              false,
	} {
		err := checkJSONText([]byte(body), target)
		if (err == nil) != ok {
			t.Errorf("%s: %v, want accepted = %v", body, err, ok)
		}
	}
}
