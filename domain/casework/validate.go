package casework

import "aidtrail/domain/internal/text"

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
	return text.CheckSealed(field, string(s), MaxSealedLen, required)
}

// cleanReason trims a free-text reason and checks its length, at most
// MaxReasonRunes. Line breaks and tabs are allowed; other control
// characters are not.
func cleanReason(s string, required bool) (string, error) {
	return text.CleanReason(s, MaxReasonRunes, required)
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
