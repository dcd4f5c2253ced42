package uow

import "aidtrail/domain/event"

// ErrNotFound: the aggregate a command or query names does not exist.
var ErrNotFound = event.ErrNotFound
