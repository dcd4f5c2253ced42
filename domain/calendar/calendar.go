// Package calendar is the union's reporting calendar: the zone in which
// budget years, reporting months, annual caps and the bank's dates are
// told. It is Asia/Shanghai (UTC+8, no daylight saving since 1991), fixed
// here so that no time-zone database is needed where the service runs.
package calendar

import "time"

// Zone is the reporting zone.
var Zone = time.FixedZone("CST", 8*60*60)

// Year is the reporting year t falls in.
func Year(t time.Time) int { return t.In(Zone).Year() }

// Month is the reporting month t falls in, as "2006-01".
func Month(t time.Time) string { return t.In(Zone).Format("2006-01") }
