-- Answers to commands sent with an Idempotency-Key, so that a retried
-- request gets the first answer instead of a second effect. A row is
-- claimed (completed_ms NULL) while its command runs and completed with the
-- answer; a claim whose process died is taken over after a while. Times are
-- Unix milliseconds, the same on both engines.
CREATE TABLE idempotent_replies (
    account_id   TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  BLOB    NOT NULL,
    claimed_ms   INTEGER NOT NULL,
    completed_ms INTEGER,
    status       INTEGER,
    content_type TEXT,
    body         BLOB,
    PRIMARY KEY (account_id, key)
) STRICT;
