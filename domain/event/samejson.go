package event

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// SameJSON reports whether two JSON documents are equal: byte for byte
// (the usual case, a retry sends what it sent), or as values, with numbers
// compared by their text so that no int64 is rounded through a float. The
// stores use it to tell a repeated append from a reuse of its ids.
func SameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, okA := decodeJSON(a)
	vb, okB := decodeJSON(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

func decodeJSON(doc []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}
