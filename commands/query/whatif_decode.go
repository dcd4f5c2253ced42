package query

import (
	"bytes"
	"unicode/utf8"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// A replay decodes the payloads of every case of its standard, its
// documents and its grants: a year of a large bureau is hundreds of
// thousands of them, and encoding/json's reflection and its separate pass
// to validate were most of a replay's own work. They are read here by a
// scanner of members in one pass instead, for the few fields the replay
// needs. Whatever it does not read exactly as encoding/json would — an
// escape in a key or a wanted string, a key that matches a wanted one
// only in other letter case, null, a number that is not a plain integer,
// malformed JSON, nesting deeper than maxDepth — sends the payload to
// event.Decode, so that the result, error or value, is always
// encoding/json's.

// decodeFast decodes e's payload as a T: with the scanner and T's read,
// which takes one member and reports whether it could, when every member
// is read; otherwise with event.Decode.
func decodeFast[T any, R interface {
	*T
	read(key, value []byte) bool
}](e event.Recorded) (T, error) {
	var v T
	s := scanner{data: e.Data}
	if s.object(R(&v).read, 0) && s.end() {
		return v, nil
	}
	var slow T
	return slow, event.Decode(e, &slow)
}

// maxDepth bounds the nesting the scanner follows; deeper payloads are
// left to encoding/json.
const maxDepth = 32

// scanner walks one JSON text, checking it as it goes.
type scanner struct {
	data []byte
	i    int
}

func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end reports whether nothing but white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.data)
}

// object reads an object, calling member (when not nil) with each key
// without its quotes and each value as it stands; member returns false to
// give up. With a member, a key holding an escape gives up too.
func (s *scanner) object(member func(key, value []byte) bool, depth int) bool {
	s.space()
	if depth > maxDepth || s.i >= len(s.data) || s.data[s.i] != '{' {
		return false
	}
	s.i++
	s.space()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.space()
		key, plain, ok := s.str()
		if !ok || (member != nil && !plain) {
			return false
		}
		s.space()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return false
		}
		s.i++
		s.space()
		start := s.i
		if !s.value(depth + 1) {
			return false
		}
		if member != nil && !member(key, s.data[start:s.i]) {
			return false
		}
		s.space()
		if s.i >= len(s.data) {
			return false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return true
		default:
			return false
		}
	}
}

func (s *scanner) array(depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.i++ // '['
	s.space()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
		return true
	}
	for {
		s.space()
		if !s.value(depth + 1) {
			return false
		}
		s.space()
		if s.i >= len(s.data) {
			return false
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string and returns what is between its quotes; plain is
// false when that holds an escape.
func (s *scanner) str() (content []byte, plain, ok bool) {
	if s.i >= len(s.data) || s.data[s.i] != '"' {
		return nil, false, false
	}
	start := s.i + 1
	plain = true
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.i = i + 1
			return s.data[start:i], plain, true
		case c < 0x20:
			return nil, false, false
		case c == '\\':
			plain = false
			i++
			if i >= len(s.data) {
				return nil, false, false
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) {
					return nil, false, false
				}
				for _, h := range s.data[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false, false
					}
				}
				i += 4
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

// value reads any value.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.data) {
		return false
	}
	switch c := s.data[s.i]; {
	case c == '{':
		return s.object(nil, depth)
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *scanner) literal(word string) bool {
	if !bytes.HasPrefix(s.data[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	d := s.data
	i := s.i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		i = digits(d, i)
	default:
		return false
	}
	if i < len(d) && d[i] == '.' {
		if j := digits(d, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return false
		}
		i = j
	}
	s.i = i
	return true
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}

// plainString returns the content of a string value v that
// encoding/json would read as it stands: no escape, valid UTF-8.
func plainString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' {
		return nil, false
	}
	content := v[1 : len(v)-1]
	if bytes.IndexByte(content, '\\') >= 0 || !utf8.Valid(content) {
		return nil, false
	}
	return content, true
}

// plainInt reads a number value v that is a whole number in int64's
// range, written without fraction or exponent.
func plainInt(v []byte) (int64, bool) {
	neg := len(v) > 0 && v[0] == '-'
	d := v
	if neg {
		d = v[1:]
	}
	if len(d) == 0 || len(d) > 18 { // 18 digits never overflow
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// setString, setInt and setUUID read a wanted member's value into its
// field, reporting false for a value encoding/json must judge.
func setString(v []byte, into *string) bool {
	s, ok := plainString(v)
	if ok {
		*into = string(s)
	}
	return ok
}

func setInt(v []byte, into *int64) bool {
	n, ok := plainInt(v)
	if ok {
		*into = n
	}
	return ok
}

func setSmallInt(v []byte, into *int) bool {
	n, ok := plainInt(v)
	if ok && int64(int(n)) == n {
		*into = int(n)
		return true
	}
	return false
}

func setUUID(v []byte, into *uuid.UUID) bool {
	s, ok := plainString(v)
	if !ok {
		return false
	}
	id, err := uuid.ParseBytes(s)
	if err != nil {
		return false
	}
	*into = id
	return true
}

// other accepts a member the reader does not want, unless its key is one
// of wanted in other letter case, which encoding/json would take for it.
func other(key []byte, wanted ...string) bool {
	for _, w := range wanted {
		if bytes.EqualFold(key, []byte(w)) {
			return false
		}
	}
	return true
}
