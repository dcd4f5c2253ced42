package org

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the texts the domain accepts.
const (
	MaxNameRunes   = 100  // unit names, after trimming
	MaxCodeLen     = 32   // unit codes: [A-Za-z0-9_-]
	MaxReasonRunes = 500  // reasons for closing, erasing
	MaxSealedLen   = 4096 // bytes of one sealed personal field
	MaxFamily      = 30   // family members of one employee
)

// cleanName trims s and checks it is 1..MaxNameRunes runes of printable
// text. It returns the trimmed name.
func cleanName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n == 0 || n > MaxNameRunes {
		return "", invalid(field, "must be 1 to %d characters", MaxNameRunes)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", invalid(field, "must not contain control characters")
	}
	return s, nil
}

// checkCode: 1..MaxCodeLen of [A-Za-z0-9_-], no trimming.
func checkCode(code string) error {
	if len(code) == 0 || len(code) > MaxCodeLen {
		return invalid("code", "must be 1 to %d characters", MaxCodeLen)
	}
	for _, c := range []byte(code) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
		if !ok {
			return invalid("code", "may hold only letters A-Z, a-z, digits, _ and -")
		}
	}
	return nil
}

// cleanReason trims a free-text reason and checks its length. Line breaks
// and tabs are allowed; other control characters are not.
func cleanReason(s string, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid("reason", "must be valid UTF-8")
	}
	if required && s == "" {
		return "", invalid("reason", "is required")
	}
	if utf8.RuneCountInString(s) > MaxReasonRunes {
		return "", invalid("reason", "must be at most %d characters", MaxReasonRunes)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return "", invalid("reason", "must not contain control characters")
	}
	return s, nil
}
