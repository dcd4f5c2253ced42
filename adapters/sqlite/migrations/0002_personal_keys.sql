-- Per-person data keys (see adapters/keyring). Personal fields in events are
-- sealed under the key of the person they describe; erasing the person
-- deletes their row here, and their sealed fields become unreadable while
-- the events themselves stay. The key is stored wrapped (encrypted) under
-- the master key, which is never in the database. Rows are inserted and
-- deleted, never updated. subject_id is the canonical text form of the
-- UUID; created_at is RFC 3339 in UTC with milliseconds.
CREATE TABLE personal_keys (
    subject_id  TEXT PRIMARY KEY CHECK (length(subject_id) = 36),
    wrapped_key BLOB NOT NULL CHECK (length(wrapped_key) > 0),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
