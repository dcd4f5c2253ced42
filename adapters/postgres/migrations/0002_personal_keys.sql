-- Per-person data keys (see adapters/keyring). Personal fields in events are
-- sealed under the key of the person they describe; erasing the person
-- deletes their row here, and their sealed fields become unreadable while
-- the events themselves stay. The key is stored wrapped (encrypted) under
-- the master key, which is never in the database. Rows are inserted and
-- deleted, never updated.
CREATE TABLE personal_keys (
    subject_id  uuid        PRIMARY KEY,
    wrapped_key bytea       NOT NULL CHECK (octet_length(wrapped_key) > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
