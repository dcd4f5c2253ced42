package care

import (
	"slices"
	"strconv"
	"time"

	"aidtrail/domain/calendar"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/text"
)

// Level is a register entry's level of hardship. Stored; never change
// the values.
type Level string

// The levels of hardship.
const (
	LevelDeep     Level = "deep"     // 深度困难
	LevelRelative Level = "relative" // 相对困难
	LevelAccident Level = "accident" // 意外致困: from an accident or a disaster
)

// Levels returns every level.
func Levels() []Level { return []Level{LevelDeep, LevelRelative, LevelAccident} }

// Valid reports whether l is one of the levels.
func (l Level) Valid() bool { return slices.Contains(Levels(), l) }

// Household is what the register keeps of an entry's household: coarse,
// non-identifying bands, so that statistics over it need no personal key
// and survive erasure.
type Household struct {
	Size       int    `json:"size"`        // people in the household, 1..MaxHousehold
	Dependants int    `json:"dependants"`  // of them, not earning: 0..Size
	IncomeBand string `json:"income_band"` // see IncomeBands
	AgeBand    string `json:"age_band"`    // the employee's age band, see AgeBands
}

// IncomeBands are the household income bands, per head and relative to the
// local minimum living standard (低保).
func IncomeBands() []string {
	return []string{"below_minimum", "under_1_5x_minimum", "under_2x_minimum", "above_2x_minimum"}
}

// AgeBands are the employee's age bands.
func AgeBands() []string { return []string{"under_30", "30_39", "40_49", "50_59", "60_plus"} }

// Limits of what the register and life events accept.
const (
	MaxHousehold   = 20
	MaxCauses      = 10
	MaxCauseRunes  = 50
	MaxSealedLen   = 8192 // a sealed note or details: ciphertext, base64
	MaxReasonRunes = 500
)

// Check validates the household facts.
func (h Household) Check() error {
	switch {
	case h.Size < 1 || h.Size > MaxHousehold:
		return fault.Invalid("household.size", "must be 1 to %d", MaxHousehold)
	case h.Dependants < 0 || h.Dependants > h.Size:
		return fault.Invalid("household.dependants", "must be 0 to the household's size")
	case !slices.Contains(IncomeBands(), h.IncomeBand):
		return fault.Invalid("household.income_band", "must be one of %v", IncomeBands())
	case !slices.Contains(AgeBands(), h.AgeBand):
		return fault.Invalid("household.age_band", "must be one of %v", AgeBands())
	}
	return nil
}

// cleanCauses trims and checks 1..MaxCauses distinct causes of hardship.
func cleanCauses(causes []string) ([]string, error) {
	if len(causes) == 0 || len(causes) > MaxCauses {
		return nil, fault.Invalid("causes", "must name 1 to %d causes", MaxCauses)
	}
	clean := make([]string, 0, len(causes))
	for i, c := range causes {
		field := "causes[" + strconv.Itoa(i) + "]"
		c, err := text.Clean(field, c, 1, MaxCauseRunes)
		if err != nil {
			return nil, err
		}
		if slices.Contains(clean, c) {
			return nil, fault.Invalid(field, "repeats an earlier cause")
		}
		clean = append(clean, c)
	}
	return clean, nil
}

// DateLayout is how dates are written in events and the API.
const DateLayout = time.DateOnly

// Today is the reporting calendar's date of t.
func Today(t time.Time) string { return t.In(calendar.Zone).Format(DateLayout) }

// parseDate parses a date of field, refusing another format.
func parseDate(field, s string) (time.Time, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil || d.Format(DateLayout) != s {
		return time.Time{}, fault.Invalid(field, "must be a date YYYY-MM-DD")
	}
	return d, nil
}

// checkSealed checks an optional sealed note.
func checkSealed(field, s string) error { return text.CheckSealed(field, s, MaxSealedLen, false) }
