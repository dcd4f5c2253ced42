package visit

import (
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/text"
)

// Limits of what a visit accepts.
const (
	// MaxFen bounds every amount and a visit's total, as a budget bounds
	// its allocation.
	MaxFen              = 1_000_000_000_000_000
	MaxEmployees        = 500 // a Spring Festival visit of a whole workshop
	MaxVisitors         = 20
	MaxGoods            = 50
	MaxDescriptionRunes = 200
	MaxReasonRunes      = 500
	MinYear             = 2000
	DateLayout          = "2006-01-02"
)

func invalid(field, format string, args ...any) error { return fault.Invalid(field, format, args...) }

// cleanReason trims a required reason of at most MaxReasonRunes.
func cleanReason(s string) (string, error) { return text.CleanReason(s, MaxReasonRunes, true) }
