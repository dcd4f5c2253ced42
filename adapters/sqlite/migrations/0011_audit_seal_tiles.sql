-- The audit log's tree as tiles, so that sealing a batch of events writes
-- a few rows instead of several per event (adapters/seal).
--
-- seal_runs replaces seal_leaves: each row is a run of leaves at
-- consecutive global positions — leaves leaf, leaf+1, … (leaves of them)
-- are the events at position, position+1, …. seal_tiles replaces
-- seal_hashes: the tree's hashes as golang.org/x/mod/sumdb/tlog tiles of
-- height 4, each the hashes of one tree level (level × 4) for up to 16
-- adjacent subtrees, concatenated; a tile still filling up is replaced by
-- its wider self as the tree grows. Rows of seal_runs and seal_heads are
-- only ever added.
--
-- The leaves and hashes sealed so far are dropped: the sealer seals the
-- log again from its first event, which gives the same tree, and the
-- signed heads kept in seal_heads are checked against it by verify.
DROP TABLE seal_leaves;
DROP TABLE seal_hashes;
CREATE TABLE seal_runs (
    leaf     INTEGER PRIMARY KEY CHECK (leaf >= 0),
    position INTEGER NOT NULL UNIQUE,
    leaves   INTEGER NOT NULL CHECK (leaves > 0)
) STRICT;
CREATE TABLE seal_tiles (
    level  INTEGER NOT NULL CHECK (level >= 0),
    idx    INTEGER NOT NULL CHECK (idx >= 0),
    width  INTEGER NOT NULL CHECK (width BETWEEN 1 AND 16),
    hashes BLOB    NOT NULL CHECK (length(hashes) = 32 * width),
    PRIMARY KEY (level, idx)
) STRICT;
