package access

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the texts the package accepts.
const (
	MinLoginLen    = 3
	MaxLoginLen    = 64
	MaxNameRunes   = 100 // account names and position titles, after trimming
	MaxReasonRunes = 500
)

// NormalizeLogin trims s and lowercases its ASCII letters; the login
// endpoint and OpenAccount both use it, so "Wang.Li " and "wang.li" are one
// login. Other characters are left for validation to refuse, so no Unicode
// case folding can make two different logins collide.
func NormalizeLogin(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// checkLogin: MinLoginLen..MaxLoginLen of [a-z0-9._-].
func checkLogin(login string) error {
	if len(login) < MinLoginLen || len(login) > MaxLoginLen {
		return invalid("login", "must be %d to %d characters", MinLoginLen, MaxLoginLen)
	}
	for _, c := range []byte(login) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid("login", "may hold only a-z, 0-9, '.', '_' and '-'")
		}
	}
	return nil
}

// cleanName trims s and checks it is 1..MaxNameRunes runes without control
// characters.
func cleanName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n == 0 || n > MaxNameRunes {
		return "", invalid(field, "must be 1 to %d characters", MaxNameRunes)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", invalid(field, "must not contain control characters")
	}
	return s, nil
}

// cleanReason trims an optional free-text reason and checks it.
func cleanReason(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid("reason", "must be valid UTF-8")
	}
	if utf8.RuneCountInString(s) > MaxReasonRunes {
		return "", invalid("reason", "must be at most %d characters", MaxReasonRunes)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return "", invalid("reason", "must not contain control characters")
	}
	return s, nil
}
