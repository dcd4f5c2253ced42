package org

// Level is a unit's rank in the organisation: bureau (路局) at the top, then
// station or section (站段), workshop (车间), team (小组). Employees, the fifth
// level, are not units. The string values are stored in events; never change
// them.
type Level string

// The levels, from the top.
const (
	LevelBureau   Level = "bureau"
	LevelStation  Level = "station"
	LevelWorkshop Level = "workshop"
	LevelTeam     Level = "team"
)

// Levels returns every level, from the top down.
func Levels() []Level { return []Level{LevelBureau, LevelStation, LevelWorkshop, LevelTeam} }

// rank is 0 for the bureau, 3 for a team, -1 for an unknown level. It is
// also the greatest number of ancestors a unit of that level can have.
func (l Level) rank() int {
	switch l {
	case LevelBureau:
		return 0
	case LevelStation:
		return 1
	case LevelWorkshop:
		return 2
	case LevelTeam:
		return 3
	}
	return -1
}

// Valid reports whether l is one of the four levels.
func (l Level) Valid() bool { return l.rank() >= 0 }

// Below reports whether l is strictly lower than other, which is what a
// child unit's level must be relative to its parent's. Levels may be
// skipped (a team directly under a station). False if either is invalid.
func (l Level) Below(other Level) bool {
	return l.Valid() && other.Valid() && l.rank() > other.rank()
}

// ParseLevel returns the level named s, or a *fault.ValidationError on "level".
func ParseLevel(s string) (Level, error) {
	l := Level(s)
	if !l.Valid() {
		return "", invalid("level", "must be one of bureau, station, workshop, team")
	}
	return l, nil
}
