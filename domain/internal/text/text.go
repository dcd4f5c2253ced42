// Package text holds the input rules for free text, codes and sealed
// values that several aggregate packages share, so that a name, a reason
// or a sealed field is refused alike, with the same words, wherever it is
// entered. Every error is a *fault.ValidationError on the field named.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"aidtrail/domain/fault"
)

// Clean trims s and checks it is minRunes..maxRunes runes of valid UTF-8
// without control characters (a single line). It returns the trimmed text.
func Clean(field, s string, minRunes, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fault.Invalid(field, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n < minRunes || n > maxRunes {
		return "", fault.Invalid(field, "must be %d to %d characters", minRunes, maxRunes)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", fault.Invalid(field, "must not contain control characters")
	}
	return s, nil
}

// CleanReason trims a free-text reason and checks it is at most maxRunes
// runes of valid UTF-8, and not empty when required. Line breaks and tabs
// are allowed; other control characters are not. The field is "reason".
func CleanReason(s string, maxRunes int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fault.Invalid("reason", "must be valid UTF-8")
	}
	if required && s == "" {
		return "", fault.Invalid("reason", "is required")
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return "", fault.Invalid("reason", "must be at most %d characters", maxRunes)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return "", fault.Invalid("reason", "must not contain control characters")
	}
	return s, nil
}

// CheckSealed checks a sealed value (ciphertext the domain never opens): present
// when required, at most maxLen bytes, printable text.
func CheckSealed(field, s string, maxLen int, required bool) error {
	switch {
	case s == "" && required:
		return fault.Invalid(field, "is required")
	case len(s) > maxLen:
		return fault.Invalid(field, "sealed value is longer than %d bytes", maxLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return fault.Invalid(field, "sealed value must be printable text")
	}
	return nil
}

// CheckCode checks a code, taken as it is (no trimming): 1..maxLen bytes of
// [A-Za-z0-9_-] when upper, of [a-z0-9_] otherwise.
func CheckCode(field, code string, maxLen int, upper bool) error {
	if len(code) == 0 || len(code) > maxLen {
		return fault.Invalid(field, "must be 1 to %d characters", maxLen)
	}
	for _, c := range []byte(code) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
		if upper {
			ok = ok || c >= 'A' && c <= 'Z' || c == '-'
		}
		if !ok {
			if upper {
				return fault.Invalid(field, "may hold only letters A-Z, a-z, digits, _ and -")
			}
			return fault.Invalid(field, "may hold only letters a-z, digits and _")
		}
	}
	return nil
}
