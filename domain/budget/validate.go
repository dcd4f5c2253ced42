package budget

import (
	"github.com/google/uuid"

	"aidtrail/domain/internal/text"
)

// Limits of what a budget accepts.
const (
	// MaxFen bounds every amount and a budget's total allocation: 10^15 fen
	// (ten trillion yuan), far above any real budget and far below the
	// range of int64, so that no sum of figures can overflow.
	MaxFen         = 1_000_000_000_000_000
	MinYear        = 2000
	MaxYear        = 2100
	MaxLineLen     = 64  // budget lines: [a-z0-9_.-]
	MaxReasonRunes = 500 // reasons for increases and releases
)

func checkAmount(fen int64) error {
	if fen <= 0 || fen > MaxFen {
		return invalid("amount_fen", "must be 1 to %d fen", int64(MaxFen))
	}
	return nil
}

func checkYear(year int) error {
	if year < MinYear || year > MaxYear {
		return invalid("year", "must be %d to %d", MinYear, MaxYear)
	}
	return nil
}

// checkLine: 1..MaxLineLen of [a-z0-9_.-], no trimming.
func checkLine(line string) error {
	if len(line) == 0 || len(line) > MaxLineLen {
		return invalid("line", "must be 1 to %d characters", MaxLineLen)
	}
	for _, c := range []byte(line) {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			return invalid("line", "may hold only a-z, 0-9, _, . and -")
		}
	}
	return nil
}

// cleanReason trims a required free-text reason of at most MaxReasonRunes
// and checks it. Line breaks and tabs are allowed; other control characters
// are not.
func cleanReason(s string) (string, error) { return text.CleanReason(s, MaxReasonRunes, true) }

// checkClaim checks what Reserve and Charge take from the budget: the id
// of the case or visit (field names it), a valid amount, and no more than
// is Available (else an *ExceededError).
func (b *Budget) checkClaim(field string, id uuid.UUID, amountFen int64) error {
	if id == uuid.Nil {
		return invalid(field, "is required")
	}
	if err := checkAmount(amountFen); err != nil {
		return err
	}
	if avail := b.Available(); amountFen > avail {
		return &ExceededError{Available: avail, Requested: amountFen}
	}
	return nil
}

// checkReturn checks what Release and Refund give back to the budget: the
// id of the case or visit (field names it), a valid amount and a reason,
// which it returns cleaned.
func checkReturn(field string, id uuid.UUID, amountFen int64, reason string) (string, error) {
	if id == uuid.Nil {
		return "", invalid(field, "is required")
	}
	if err := checkAmount(amountFen); err != nil {
		return "", err
	}
	return cleanReason(reason)
}
