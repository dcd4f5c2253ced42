package org

import "aidtrail/domain/internal/text"

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
func cleanName(field, s string) (string, error) { return text.Clean(field, s, 1, MaxNameRunes) }

// checkCode: 1..MaxCodeLen of [A-Za-z0-9_-], no trimming.
func checkCode(code string) error { return text.CheckCode("code", code, MaxCodeLen, true) }

// cleanReason trims a free-text reason and checks its length, at most
// MaxReasonRunes. Line breaks and tabs are allowed; other control
// characters are not.
func cleanReason(s string, required bool) (string, error) {
	return text.CleanReason(s, MaxReasonRunes, required)
}
