-- Read models become generations: each projection's tables are created by
-- the projection itself, named with a generation suffix (rm_cases_g1,
-- rm_cases_g2, ...), and a view with the plain name (rm_cases) shows the
-- live generation. A rebuild fills the next generation beside the live one
-- and switches the view when it has caught up, so reads never stop.
-- Read models hold nothing that is not in the event log: the old case list
-- is dropped here and rebuilt from position 0.
DROP TABLE rm_cases;
DELETE FROM projection_checkpoints;

CREATE TABLE projection_generations (
    name       text   PRIMARY KEY,
    live       bigint NOT NULL CHECK (live >= 1),
    updated_ms bigint NOT NULL
);
