package event

import "testing"

func TestSameJSON(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"a":1,"b":[1,2]}`, true},
		{`{"a":1,"b":2}`, `{ "b": 2, "a": 1 }`, true},
		{`{"fen":9007199254740993}`, `{"fen":9007199254740992}`, false}, // equal as float64
		{`{"a":1}`, `{"a":"1"}`, false},
		{`{"a":1}`, `{"a":1`, false},
	} {
		if got := SameJSON([]byte(c.a), []byte(c.b)); got != c.same {
			t.Errorf("SameJSON(%s, %s) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
