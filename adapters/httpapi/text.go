package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Every text that enters the API — JSON strings and member names, path
// segments, query parameters, multipart fields — is checked at the edge,
// before anything is decided on it: valid UTF-8, and no NUL or other
// control character, except line breaks and tabs in the members that hold
// prose. A database would refuse some of these (PostgreSQL refuses NUL)
// and store others silently altered; neither may happen behind the
// client's back.

// multilineMembers are the JSON members that hold prose, where line
// breaks and tabs are text.
var multilineMembers = map[string]bool{"description": true, "reason": true}

// textProblem says what is wrong with s as text, "" when nothing is.
// U+FFFD counts as invalid: it is what a decoder makes of bytes that are
// not UTF-8, so a string holding it was, in all likelihood, not text.
func textProblem(s string, multiline bool) string {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return "must be valid UTF-8 text"
	}
	for _, c := range s {
		switch {
		case c == 0:
			return "must not contain NUL"
		case multiline && (c == '\n' || c == '\r' || c == '\t'):
		case c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f:
			return "must not contain control characters"
		}
	}
	return ""
}

// checkURLText refuses a request whose path or query carries what is not
// text, or a path with "." or ".." segments (which name another resource
// than the one asked for), with a 400 naming the parameter.
func checkURLText(r *http.Request) error {
	if p := textProblem(r.URL.Path, false); p != "" {
		return &fieldError{Field: "path", Reason: p}
	}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if seg == "." || seg == ".." {
			return &fieldError{Field: "path", Reason: `must not contain "." or ".." segments`}
		}
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		// url.Values would drop the pair it cannot read, and with it a
		// filter the client meant to send.
		return &fieldError{Field: "query", Reason: "is malformed: " + err.Error()}
	}
	for name, values := range query {
		if p := textProblem(name, false); p != "" {
			return &fieldError{Field: "query", Reason: "parameter names " + p}
		}
		for _, v := range values {
			if p := textProblem(v, false); p != "" {
				return &fieldError{Field: name, Reason: p}
			}
		}
	}
	return nil
}

// checkJSONText walks a JSON document that decoded into a value of type
// target and refuses, naming the member: a member given twice in one
// object (a reader taking the first would see another request than one
// taking the last); a member name that matches target's only when case is
// ignored, as encoding/json matches them ({"NAME":…} for "name"); and any
// member name or string value that is not text.
func checkJSONText(raw []byte, target reflect.Type) error {
	type level struct {
		object    bool
		names     map[string]bool
		name      string       // the member being read, in an object
		expecting bool         // a member name comes next
		typ       reflect.Type // the struct this object decodes into, nil when unknown
		values    reflect.Type // the value type of the map this object decodes into, nil when none
		next      reflect.Type // the type of the value being read
	}
	var stack []*level
	top := func() *level {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	// pending is the type the value starting now decodes into.
	pending := func() reflect.Type {
		if l := top(); l != nil {
			return l.next
		}
		return target
	}
	// member is the innermost member name, for errors about values.
	member := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].object && stack[i].name != "" {
				return stack[i].name
			}
		}
		return "body"
	}
	valueDone := func() {
		if l := top(); l != nil && l.object {
			l.expecting = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF; malformed JSON is the decoder's to describe
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				t := pending()
				stack = append(stack, &level{object: true, names: map[string]bool{}, expecting: true, typ: structOf(t), values: mapElemOf(t)})
			case '[':
				stack = append(stack, &level{next: elemOf(pending())})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if l := top(); l != nil && l.object && l.expecting {
				if p := textProblem(v, false); p != "" {
					return &fieldError{Field: "body", Reason: "member names " + p}
				}
				if l.names[v] {
					return &fieldError{Field: v, Reason: "is given more than once"}
				}
				l.names[v], l.name, l.expecting, l.next = true, v, false, l.values
				if l.typ != nil {
					t, ok := memberType(l.typ, v)
					if !ok {
						return &fieldError{Field: v, Reason: "is not a member of this request (names are case-sensitive)"}
					}
					l.next = t
				}
				continue
			}
			name := member()
			if p := textProblem(v, multilineMembers[name]); p != "" {
				return &fieldError{Field: name, Reason: p}
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// structOf is the struct t decodes objects into, or nil when t decodes
// them otherwise (a map, an interface, its own UnmarshalJSON).
func structOf(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t
}

// elemOf is the element type of the slice or array t, nil otherwise.
func elemOf(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Slice && t.Kind() != reflect.Array || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t.Elem()
}

// mapElemOf is the value type of the map t decodes objects into, nil
// when t is no map (or decodes itself).
func mapElemOf(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Map || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t.Elem()
}

// memberType finds the field of struct st that the member name decodes
// into, matching the name exactly as its JSON tag (or field name) gives
// it, by encoding/json's rule for embedded structs: the shallowest field
// of that name wins, a tagged one over an untagged one at the same depth,
// and a name two fields share at that depth names none.
func memberType(st reflect.Type, name string) (reflect.Type, bool) {
	level := []reflect.Type{st}
	seen := map[reflect.Type]bool{st: true}
	for len(level) > 0 {
		var found []reflect.Type
		var tagged []bool
		var deeper []reflect.Type
		for _, t := range level {
			for i := range t.NumField() {
				f := t.Field(i)
				tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				switch {
				case tag == "-" || !f.IsExported() && !f.Anonymous:
				case f.Anonymous && tag == "":
					if inner := structOf(f.Type); inner != nil {
						if !seen[inner] {
							seen[inner] = true
							deeper = append(deeper, inner)
						}
					} else if f.IsExported() && f.Name == name {
						found, tagged = append(found, f.Type), append(tagged, false)
					}
				case tag == name || tag == "" && f.Name == name:
					found, tagged = append(found, f.Type), append(tagged, tag != "")
				}
			}
		}
		switch {
		case len(found) == 1:
			return found[0], true
		case len(found) > 1:
			var only []reflect.Type
			for i, t := range found {
				if tagged[i] {
					only = append(only, t)
				}
			}
			if len(only) == 1 {
				return only[0], true
			}
			return nil, false // ambiguous: encoding/json ignores the name
		}
		level = deeper
	}
	return nil, false
}
