package payment

import (
	"time"

	"aidtrail/domain/internal/text"
)

// Limits of what a payment accepts.
const (
	// MaxFen bounds one payment and a ledger's approved amount: 10^15 fen,
	// far below the range of int64, so that no sum of figures overflows.
	MaxFen         = 1_000_000_000_000_000
	MaxBankRefLen  = 64   // bytes of a bank reference
	MaxReasonRunes = 500  // reasons for a failure
	MaxSealedLen   = 4096 // bytes of a sealed bank account
)

// DateLayout is the layout of dates in events, the API and the bank's
// files: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Sealed is a personal field, here the employee's bank account, as
// ciphertext. The domain never sees plaintext personal data: the command
// layer seals it under the person's own key before it reaches the domain,
// and erasing the person deletes that key, which leaves the value
// unreadable in the immutable log. The domain only checks that a value is
// present, small and printable; it never compares or opens one.
type Sealed string

func (s Sealed) check(field string) error {
	return text.CheckSealed(field, string(s), MaxSealedLen, true)
}

// CheckBankRef reports whether ref is a bank reference the product can
// store and carry in CSV: 1..64 bytes of printable ASCII, without commas,
// quotes, and without spaces at either end. The error is a
// *fault.ValidationError on bank_ref.
func CheckBankRef(ref string) error {
	if len(ref) == 0 || len(ref) > MaxBankRefLen {
		return invalid("bank_ref", "must be 1 to %d characters", MaxBankRefLen)
	}
	for _, c := range []byte(ref) {
		if c < 0x20 || c > 0x7e || c == ',' || c == '"' || c == '\'' {
			return invalid("bank_ref", "must be printable ASCII without commas or quotes")
		}
	}
	if ref[0] == ' ' || ref[len(ref)-1] == ' ' {
		return invalid("bank_ref", "must not start or end with a space")
	}
	return nil
}

// checkDate: a real calendar date YYYY-MM-DD in the years 2000..2100.
func checkDate(field, d string) error {
	t, err := time.Parse(DateLayout, d)
	if err != nil || t.Format(DateLayout) != d || t.Year() < 2000 || t.Year() > 2100 {
		return invalid(field, "must be a date YYYY-MM-DD between 2000 and 2100")
	}
	return nil
}

// cleanReason trims a required free-text reason of at most MaxReasonRunes
// and checks it. Line breaks and tabs are allowed; other control characters
// are not.
func cleanReason(s string) (string, error) { return text.CleanReason(s, MaxReasonRunes, true) }
