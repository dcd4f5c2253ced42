package event

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
)

func TestValidateAppendRefusesWhatNoStoreCanKeep(t *testing.T) {
	t.Parallel()
	ok := Event{ID: NewID(), Type: "case.opened", Data: json.RawMessage(`{"a":"\\u0000 is text here"}`)}
	tests := []struct {
		name   string
		stream string
		exp    ExpectedVersion
		events []Event
		valid  bool
	}{
		{"valid", "case-1", Any, []Event{ok}, true},
		{"escaped backslash before u0000 is not NUL", "case-1", NoStream, []Event{ok}, true},
		{"no events", "case-1", Any, nil, false},
		{"empty stream", "", Any, []Event{ok}, false},
		{"long stream", string(make([]byte, MaxStreamLength+1)), Any, []Event{ok}, false},
		{"bad expected", "case-1", -2, []Event{ok}, false},
		{"nil id", "case-1", Any, []Event{{Type: "x", Data: json.RawMessage(`{}`)}}, false},
		{"no type", "case-1", Any, []Event{{ID: NewID(), Data: json.RawMessage(`{}`)}}, false},
		{"not JSON", "case-1", Any, []Event{{ID: NewID(), Type: "x", Data: json.RawMessage(`{`)}}, false},
		{"NUL in payload", "case-1", Any, []Event{{ID: NewID(), Type: "x", Data: json.RawMessage(`{"a":"\u0000"}`)}}, false},
		{"invalid UTF-8 in payload", "case-1", Any, []Event{{ID: NewID(), Type: "x", Data: json.RawMessage("{\"a\":\"\xff\"}")}}, false},
		{"NUL in metadata", "case-1", Any, []Event{{ID: NewID(), Type: "x", Data: json.RawMessage(`{}`), Metadata: Metadata{ActorName: "a\x00"}}}, false},
		{"same id twice", "case-1", Any, []Event{ok, ok}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAppend(tt.stream, tt.exp, tt.events)
			if tt.valid && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
}

// FuzzValidateAppend: payloads come from outside (HTTP bodies end up in
// events). Whatever ValidateAppend accepts is JSON that every store keeps
// unchanged: valid, UTF-8, without NUL.
func FuzzValidateAppend(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":1}`, `"\u0000"`, `{"\u0000":1}`, `[1,2,{"x":"\\u0000"}]`, "\"\xff\"", `{`, `null`} {
		f.Add(seed, "case.opened")
	}
	f.Fuzz(func(t *testing.T, data, typ string) {
		e := Event{ID: uuid.New(), Type: typ, Data: json.RawMessage(data)}
		err := ValidateAppend("case-1", Any, []Event{e})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if !json.Valid(e.Data) || !utf8.Valid(e.Data) || typ == "" {
			t.Fatalf("accepted %q", data)
		}
		var v any
		if err := json.Unmarshal(e.Data, &v); err != nil {
			t.Fatalf("accepted %q, which does not decode: %v", data, err)
		}
		if containsNUL(v) {
			t.Fatalf("accepted %q, which holds NUL", data)
		}
	})
}

func containsNUL(v any) bool {
	switch v := v.(type) {
	case string:
		for _, r := range v {
			if r == 0 {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if containsNUL(x) {
				return true
			}
		}
	case map[string]any:
		for k, x := range v {
			if containsNUL(k) || containsNUL(x) {
				return true
			}
		}
	}
	return false
}
