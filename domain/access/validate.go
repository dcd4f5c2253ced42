package access

import (
	"strings"

	"aidtrail/domain/internal/text"
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
func cleanName(field, s string) (string, error) { return text.Clean(field, s, 1, MaxNameRunes) }

// cleanReason trims an optional free-text reason and checks it.
func cleanReason(s string) (string, error) { return text.CleanReason(s, MaxReasonRunes, false) }
