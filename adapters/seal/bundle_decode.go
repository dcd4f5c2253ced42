package seal

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/google/uuid"
)

// decodeLine decodes one line of a bundle into l (zero on entry) exactly
// as json.Unmarshal does. One scanner decodes one line at a time. Decoding is most of what verifying a bundle
// costs, so the shape WriteBundle writes is read by hand, without
// reflection; anything else — a key it does not know (or knows in
// another case), a repeated key, null, a number with a fraction or an
// exponent, a surrogate escape, bytes that are not UTF-8 — is handed to
// json.Unmarshal, so that the two never disagree.
func (s *lineScanner) decodeLine(raw []byte, l *bundleLine) error {
	s.b, s.i, s.ok = raw, 0, true
	s.line(l)
	if s.skipSpace(); s.ok && s.i == len(s.b) {
		return nil
	}
	*l = bundleLine{}
	return json.Unmarshal(raw, l)
}

// lineScanner reads a line of a bundle; ok turns false at the first thing
// it does not read by hand, and every later call does nothing.
type lineScanner struct {
	b       []byte
	i       int
	ok      bool
	scratch []byte // where escapes are undone, kept from line to line
}

func (s *lineScanner) line(l *bundleLine) {
	s.object(func(key string) bool {
		switch key {
		case "event":
			s.event(&l.Event)
		case "leaf":
			l.Leaf = s.int()
		case "leaf_hash":
			l.LeafHash = s.str()
		case "proof":
			s.expect('[')
			l.Proof = []string{} // as json.Unmarshal gives [], not null
			for first := true; s.ok && !s.next(']'); first = false {
				if !first {
					s.expect(',')
				}
				l.Proof = append(l.Proof, s.str())
			}
		default:
			return false
		}
		return true
	})
}

func (s *lineScanner) event(e *bundleEvent) {
	s.object(func(key string) bool {
		switch key {
		case "position":
			e.Position = s.int()
		case "id":
			if text := s.str(); s.ok {
				var err error
				e.ID, err = uuid.Parse(text) // as UUID's UnmarshalText parses
				s.ok = err == nil
			}
		case "stream":
			e.Stream = s.str()
		case "version":
			e.Version = s.int()
		case "type":
			e.Type = s.str()
		case "data":
			e.Data = s.str()
		case "metadata":
			s.metadata(e)
		case "recorded_at":
			s.time(e.RecordedAt.UnmarshalJSON)
		default:
			return false
		}
		return true
	})
}

func (s *lineScanner) metadata(e *bundleEvent) {
	m := &e.Metadata
	s.object(func(key string) bool {
		switch key {
		case "actor_account_id":
			m.ActorAccountID = s.str()
		case "actor_name":
			m.ActorName = s.str()
		case "actor_position_id":
			m.ActorPositionID = s.str()
		case "actor_unit_id":
			m.ActorUnitID = s.str()
		case "command_id":
			m.CommandID = s.str()
		case "correlation_id":
			m.CorrelationID = s.str()
		case "causation_id":
			m.CausationID = s.str()
		case "occurred_at":
			s.time(m.OccurredAt.UnmarshalJSON)
		case "schema_version":
			m.SchemaVersion = int(s.int())
		default:
			return false
		}
		return true
	})
}

// object reads an object, calling field for each key with the scanner at
// its value; field reads the value and reports whether it knew the key.
// A key seen twice gives up.
func (s *lineScanner) object(field func(key string) bool) {
	s.expect('{')
	var seen [16]string
	for n := 0; s.ok && !s.next('}'); n++ {
		if n > 0 {
			s.expect(',')
		}
		key := s.str()
		if n == len(seen) || slices.Contains(seen[:n], key) {
			s.ok = false
			return
		}
		seen[n] = key
		s.expect(':')
		if s.ok && !field(key) {
			s.ok = false
		}
	}
}

func (s *lineScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes c if it comes next.
func (s *lineScanner) next(c byte) bool {
	if s.skipSpace(); s.ok && s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *lineScanner) expect(c byte) { s.ok = s.ok && s.next(c) }

// int reads an integer without fraction or exponent that fits in int64.
func (s *lineScanner) int() int64 {
	if s.skipSpace(); !s.ok {
		return 0
	}
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits || s.b[digits] == '0' && s.i > digits+1 ||
		s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.ok = false
		return 0
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	s.ok = err == nil
	return n
}

// time reads a string without escapes and hands it, quoted, to unmarshal
// (time.Time's UnmarshalJSON, as encoding/json does).
func (s *lineScanner) time(unmarshal func([]byte) error) {
	if s.skipSpace(); !s.ok {
		return
	}
	start := s.i
	if raw := s.str(); s.ok && s.i-start == len(raw)+2 {
		s.ok = unmarshal(s.b[start:s.i]) == nil
		return
	}
	s.ok = false
}

// str reads a string. Escapes other than those of surrogates are
// undone; a string holding bytes that are not UTF-8 gives up.
func (s *lineScanner) str() string {
	if !s.next('"') {
		s.ok = false
		return ""
	}
	start, ascii := s.i, true
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.checked(s.b[start:s.i-1], ascii)
		case c == '\\':
			return s.escaped(start, ascii)
		case c < 0x20:
			s.ok = false
			return ""
		case c >= utf8.RuneSelf:
			ascii = false
		}
		s.i++
	}
	s.ok = false
	return ""
}

// escaped reads the rest of a string from its first backslash on.
func (s *lineScanner) escaped(start int, ascii bool) string {
	out := append(s.scratch[:0], s.b[start:s.i]...)
	defer func() { s.scratch = out[:0] }()
	for s.ok && s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.checked(out, ascii)
		case c < 0x20:
			s.ok = false
		case c != '\\':
			ascii = ascii && c < utf8.RuneSelf
			out = append(out, c)
			s.i++
		case s.i+1 >= len(s.b):
			s.ok = false
		default:
			e := s.b[s.i+1]
			s.i += 2
			if r := unescape(e); r != 0 {
				out = append(out, r)
				continue
			}
			if e != 'u' || s.i+4 > len(s.b) {
				s.ok = false
				break
			}
			r, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
			if err != nil || r >= 0xD800 && r < 0xE000 {
				s.ok = false
				break
			}
			out = utf8.AppendRune(out, rune(r))
			s.i += 4
		}
	}
	s.ok = false
	return ""
}

// unescape returns the byte a one-letter escape stands for, 0 for none.
func unescape(e byte) byte {
	switch e {
	case '"', '\\', '/':
		return e
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}

// checked returns b as a string, giving up on bytes that are not UTF-8
// (json.Unmarshal replaces them).
func (s *lineScanner) checked(b []byte, ascii bool) string {
	if !ascii && !utf8.Valid(b) {
		s.ok = false
		return ""
	}
	return string(b)
}
