-- Read models and their checkpoints. Every projection records here the
-- global position of the last event it applied, in the same transaction as
-- the read-model change that event caused.
CREATE TABLE projection_checkpoints (
    name       TEXT   PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0),
    updated_ms INTEGER NOT NULL
) STRICT;

-- One row per case, kept by the "cases" projection. Amounts are in fen;
-- ids are UUIDs in their canonical text form. opened_position is the
-- global position of case.opened and orders case lists (cursor paging).
CREATE TABLE rm_cases (
    case_id          TEXT   PRIMARY KEY,
    employee_id      TEXT   NOT NULL,
    unit_id          TEXT   NOT NULL,
    standard_code    TEXT   NOT NULL,
    category         TEXT   NOT NULL,
    status           TEXT   NOT NULL,
    requested_fen    INTEGER NOT NULL,
    approved_fen     INTEGER NOT NULL,
    paid_fen         INTEGER NOT NULL,
    opened_position  INTEGER NOT NULL UNIQUE,
    updated_position INTEGER NOT NULL
) STRICT;
CREATE INDEX rm_cases_unit ON rm_cases (unit_id, opened_position);
CREATE INDEX rm_cases_status ON rm_cases (status, opened_position);
CREATE INDEX rm_cases_employee ON rm_cases (employee_id, opened_position);
