package org

import (
	"testing"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestLevelOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l, other Level
		below    bool
	}{
		{LevelStation, LevelBureau, true},
		{LevelWorkshop, LevelBureau, true},
		{LevelTeam, LevelBureau, true},
		{LevelWorkshop, LevelStation, true},
		{LevelTeam, LevelStation, true},
		{LevelTeam, LevelWorkshop, true},
		{LevelBureau, LevelBureau, false},
		{LevelStation, LevelStation, false},
		{LevelBureau, LevelStation, false},
		{LevelStation, LevelTeam, false},
		{LevelWorkshop, LevelTeam, false},
		{"", LevelBureau, false},
		{LevelTeam, "group", false},
	}
	for _, tt := range tests {
		if got := tt.l.Below(tt.other); got != tt.below {
			t.Errorf("%q.Below(%q) = %v, want %v", tt.l, tt.other, got, tt.below)
		}
	}
}

func TestParseLevel(t *testing.T) {
	t.Parallel()
	for _, l := range Levels() {
		got, err := ParseLevel(string(l))
		if err != nil || got != l || !l.Valid() {
			t.Errorf("ParseLevel(%q) = %q, %v", l, got, err)
		}
	}
	for _, s := range []string{"", "Bureau", "person", "section", " team"} {
		_, err := ParseLevel(s)
		aggtest.WantErr(t, err, fault.ErrInvalid)
		aggtest.WantField(t, err, "level")
		if Level(s).Valid() {
			t.Errorf("%q is valid", s)
		}
	}
}
