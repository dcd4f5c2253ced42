package casework

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of what the domain accepts.
const (
	MaxFlowSteps            = 10
	MaxStepNameRunes        = 50
	MaxReasonRunes          = 500
	MaxCauses               = 10
	MaxCauseRunes           = 50
	MaxCodeLen              = 32                  // standard codes, categories
	MaxKindLen              = 50                  // document kinds
	MaxDocuments            = 100                 // documents on one case
	MaxDocumentSize         = 100 << 20           // bytes of one document
	MaxContentTypeLen       = 100                 // a MIME type
	MaxSealedLen            = 16384               // bytes of one sealed text
	MaxAmountFen      int64 = 1_000_000_000 * 100 // one billion yuan: far above any aid, far below overflow
)

// Sealed is personal text (a beneficiary's name, a description of the
// hardship, a diagnosis) as ciphertext sealed under the person's own key by
// the command layer. The domain never sees plaintext: it checks only that a
// value is present and small, and never compares or opens one. Erasing the
// person deletes the key, leaving every Sealed value of theirs unreadable.
type Sealed string

func (s Sealed) check(field string, required bool) error {
	switch {
	case s == "" && required:
		return invalid(field, "is required")
	case len(s) > MaxSealedLen:
		return invalid(field, "sealed value is longer than %d bytes", MaxSealedLen)
	case !utf8.ValidString(string(s)) || strings.ContainsFunc(string(s), unicode.IsControl):
		return invalid(field, "sealed value must be printable text")
	}
	return nil
}

// cleanText trims s and checks it is min..max runes of printable text.
func cleanText(field, s string, minRunes, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n < minRunes || n > maxRunes {
		return "", invalid(field, "must be %d to %d characters", minRunes, maxRunes)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", invalid(field, "must not contain control characters")
	}
	return s, nil
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

// checkCode: 1..max bytes of [A-Za-z0-9_-] when upper, [a-z0-9_] otherwise.
func checkCode(field, code string, maxLen int, upper bool) error {
	if len(code) == 0 || len(code) > maxLen {
		return invalid(field, "must be 1 to %d characters", maxLen)
	}
	for _, c := range []byte(code) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
		if upper {
			ok = ok || c >= 'A' && c <= 'Z' || c == '-'
		}
		if !ok {
			if upper {
				return invalid(field, "may hold only letters A-Z, a-z, digits, _ and -")
			}
			return invalid(field, "may hold only letters a-z, digits and _")
		}
	}
	return nil
}

func checkAmount(field string, fen int64, allowZero bool) error {
	if fen < 0 || fen == 0 && !allowZero || fen > MaxAmountFen {
		if allowZero {
			return invalid(field, "must be 0 to %d fen", MaxAmountFen)
		}
		return invalid(field, "must be 1 to %d fen", MaxAmountFen)
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
