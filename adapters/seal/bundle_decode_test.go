package seal

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeLine reads every line as json.Unmarshal does: the same line or
// the same failure, whether it reads the line by hand or not.
func TestDecodeLineAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	const good = `{"event":{"position":42,"id":"0190a3c4-7f6e-7a1b-8c2d-3e4f5a6b7c8d","stream":"case-1","version":3,` +
		`"type":"case.submitted","data":"{\"note\":\"困难 \\u0026 帮扶\",\"fen\":100}","metadata":{"actor_account_id":"a",` +
		`"actor_name":"王芳","occurred_at":"2026-03-01T08:00:00.123456789Z","schema_version":1},` +
		`"recorded_at":"2026-03-01T08:00:01Z"},"leaf":41,"leaf_hash":"abc=","proof":["x=","y="]}`
	lines := []string{
		good,
		"  " + good + " \r",
		strings.Replace(good, `"leaf":41`, `"leaf":-0`, 1),
		strings.Replace(good, `"leaf":41`, `"leaf":4.1e1`, 1),
		strings.Replace(good, `"leaf":41`, `"leaf":041`, 1),
		strings.Replace(good, `"leaf":41`, `"leaf":99999999999999999999`, 1),
		strings.Replace(good, `"leaf":41`, `"Leaf":41`, 1),
		strings.Replace(good, `"leaf":41`, `"leaf":41,"leaf":7`, 1),
		strings.Replace(good, `"leaf":41`, `"extra":{"a":[1,2]},"leaf":41`, 1),
		strings.Replace(good, `"proof":["x=","y="]`, `"proof":null`, 1),
		strings.Replace(good, `"proof":["x=","y="]`, `"proof":[]`, 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":"case-\ud83d\ude00"`, 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":"case-\ud800"`, 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":"case-\u00e9\/\t\n\b\f\r\\\""`, 1),
		strings.Replace(good, `"stream":"case-1"`, "\"stream\":\"case-\xff\"", 1),
		strings.Replace(good, `"stream":"case-1"`, "\"stream\":\"case-\xe4\xb8\"", 1),
		strings.Replace(good, `"stream":"case-1"`, "\"stream\":\"case-\x01\"", 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":"case-\x"`, 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":null`, 1),
		strings.Replace(good, `"stream":"case-1"`, `"stream":1`, 1),
		strings.Replace(good, `"id":"0190a3c4`, `"id":"zz90a3c4`, 1),
		strings.Replace(good, `"recorded_at":"2026-03-01T08:00:01Z"`, `"recorded_at":"2026-03-01"`, 1),
		strings.Replace(good, `"recorded_at":"2026-03-01T08:00:01Z"`, `"recorded_at":"2026-03-01T08:00:01\u005a"`, 1),
		strings.Replace(good, `"schema_version":1`, `"schema_version":1,`, 1),
		strings.Replace(good, `,"leaf":41`, `"leaf":41`, 1),
		good + "x",
		good[:len(good)-1],
		"{}",
		"",
		"null",
	}
	var s lineScanner
	for i, line := range lines {
		var want, got bundleLine
		wantErr := json.Unmarshal([]byte(line), &want)
		gotErr := s.decodeLine([]byte(line), &got)
		if (wantErr == nil) != (gotErr == nil) || wantErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("line %d: decodeLine gives %+v, %v; json.Unmarshal %+v, %v", i, got, gotErr, want, wantErr)
		}
	}
	var l bundleLine
	s = lineScanner{b: []byte(good), ok: true}
	if s.line(&l); !s.ok {
		t.Error("the shape WriteBundle writes is not read by hand")
	}
}
