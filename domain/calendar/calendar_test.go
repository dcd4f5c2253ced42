package calendar

import (
	"testing"
	"time"
)

// The reporting year and month turn at midnight in Beijing, eight hours
// before midnight UTC.
func TestYearAndMonthTurnAtMidnightInBeijing(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC) // 23:59:59 in Beijing
	after := before.Add(time.Second)                           // 00:00:00 on 1 January
	if Year(before) != 2026 || Month(before) != "2026-12" {
		t.Errorf("%s: %d %s, want 2026 2026-12", before, Year(before), Month(before))
	}
	if Year(after) != 2027 || Month(after) != "2027-01" {
		t.Errorf("%s: %d %s, want 2027 2027-01", after, Year(after), Month(after))
	}
}
