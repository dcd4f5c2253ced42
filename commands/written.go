package commands

import "aidtrail/domain/event"

// ErrNotFound: the aggregate a command or query names does not exist.
var ErrNotFound = event.ErrNotFound

// Written is what every command answers: the global position of the last
// event it wrote, which reads may wait for.
type Written struct {
	Position int64
}
