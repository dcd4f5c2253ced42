-- The audit log (adapters/seal): a Merkle tree over the global order in
-- the style of RFC 6962, so that any change to a stored event shows.
-- seal_leaves maps each leaf, numbered from 0 in the order sealed, to the
-- event's global position; seal_hashes keeps the tree's stored hashes as
-- golang.org/x/mod/sumdb/tlog numbers them; seal_heads keeps every tree
-- head signed with the installation's Ed25519 key (a signed note). Rows
-- are only ever added.
CREATE TABLE seal_leaves (
    n        INTEGER PRIMARY KEY CHECK (n >= 0),
    position INTEGER NOT NULL UNIQUE
) STRICT;
CREATE TABLE seal_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB    NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE TABLE seal_heads (
    size      INTEGER PRIMARY KEY CHECK (size > 0),
    signed    TEXT    NOT NULL,
    signed_at INTEGER NOT NULL -- Unix milliseconds
) STRICT;
