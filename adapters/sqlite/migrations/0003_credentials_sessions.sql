-- The first line of defence (system access): logins and password hashes,
-- failed-login counts, and sessions. None of this is ever in an event: the
-- log is immutable, so a secret written there could never be withdrawn.
-- Rows here are changed and deleted in place. Ids are the canonical text
-- form of the UUID; times are RFC 3339 in UTC with nine fractional digits
-- (fixed width, so text comparison orders them as time does).

-- One login and one password hash per account. password_hash is a PHC
-- string ($argon2id$v=19$m=...,t=...,p=...$salt$hash) carrying its own
-- parameters. The caller normalises logins; they are compared exactly.
CREATE TABLE credentials (
    account_id    TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE CHECK (login <> ''),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$%'),
    updated_at    TEXT NOT NULL
) STRICT;

-- Failed logins per login (known to an account or not, so throttling
-- reveals nothing about which logins exist). failures counts the failures
-- since window_started_at; locked_until, when set and in the future, is a
-- lock in force. A successful login deletes the row.
CREATE TABLE login_failures (
    login             TEXT    PRIMARY KEY,
    failures          INTEGER NOT NULL CHECK (failures > 0),
    window_started_at TEXT    NOT NULL,
    locked_until      TEXT
) STRICT;

-- Bearer sessions, known only by the SHA-256 of their token: a copy of this
-- table signs no one in. A revoked session keeps its row (revoked_at set),
-- so a replayed token is recognised as revoked.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL CHECK (expires_at > created_at),
    revoked_at TEXT
) STRICT;

-- Revoking all of an account's sessions (account closed, password changed).
CREATE INDEX sessions_account_id ON sessions (account_id);
