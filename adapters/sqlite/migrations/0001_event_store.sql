-- The event log. Rows are only ever inserted: the triggers below refuse
-- UPDATE and DELETE, so corrections are always new events.

-- streams holds each stream's version (its number of events), the value an
-- append's expected version is checked against.
CREATE TABLE streams (
    stream_id TEXT    PRIMARY KEY,
    version   INTEGER NOT NULL CHECK (version > 0)
) STRICT;

-- position is the global order: the rowid, so SQLite hands out max + 1.
-- Rows are never deleted, so a position is never reused. event_id is the
-- canonical text form of the UUID, data and metadata are JSON text,
-- recorded_at is RFC 3339 in UTC with nanoseconds (fixed width, so it sorts).
CREATE TABLE events (
    position    INTEGER PRIMARY KEY,
    event_id    TEXT    NOT NULL UNIQUE,
    stream_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version > 0),
    type        TEXT    NOT NULL CHECK (type <> ''),
    data        TEXT    NOT NULL CHECK (json_valid(data)),
    metadata    TEXT    NOT NULL CHECK (json_valid(metadata)),
    recorded_at TEXT    NOT NULL,
    UNIQUE (stream_id, version)
) STRICT;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: DELETE refused');
END;
