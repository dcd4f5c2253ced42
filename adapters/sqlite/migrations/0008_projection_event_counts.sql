-- Every generation of a projection counts, per event type, the events it has
-- applied (of those it concerns), in the same transaction as its checkpoint,
-- so that a self-check can compare them with the log: an event lost on its
-- way to a read model shows as a count short of the log's. The counts cover
-- the events after counted_from up to the checkpoint: generations that were
-- already applying events before counting began start counting where they
-- stand.
ALTER TABLE projection_checkpoints ADD COLUMN counted_from INTEGER NOT NULL DEFAULT 0 CHECK (counted_from >= 0);
UPDATE projection_checkpoints SET counted_from = position;

CREATE TABLE projection_event_counts (
    checkpoint TEXT   NOT NULL, -- projection_checkpoints.name
    type       TEXT   NOT NULL,
    events     INTEGER NOT NULL CHECK (events >= 0),
    PRIMARY KEY (checkpoint, type)
) STRICT;
