-- The files of applications (photos of paperwork, PDFs), addressed by their
-- SHA-256: events record the hash, this table the bytes. Kept in the same
-- database so that one backup holds everything an audit needs.
CREATE TABLE documents (
    sha256       TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    content      BLOB    NOT NULL,
    stored_ms    INTEGER NOT NULL
) STRICT;
