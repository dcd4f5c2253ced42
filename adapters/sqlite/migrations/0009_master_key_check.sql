-- The master key's check value (see adapters/keyring, Verify): a known text
-- sealed under the master key the personal keys are wrapped under, so that
-- a service started with another master key refuses to start instead of
-- failing every read of personal data. One row; rotating the master key
-- replaces it together with every wrapped key.
CREATE TABLE master_key_check (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB    NOT NULL CHECK (length(sealed) > 0)
) STRICT;
