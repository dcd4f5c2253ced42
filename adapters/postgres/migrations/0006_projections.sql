-- Read models and their checkpoints. Every projection records here the
-- global position of the last event it applied, in the same transaction as
-- the read-model change that event caused.
CREATE TABLE projection_checkpoints (
    name       text   PRIMARY KEY,
    position   bigint NOT NULL CHECK (position >= 0),
    updated_ms bigint NOT NULL
);

-- One row per case, kept by the "cases" projection. Amounts are in fen;
-- ids are UUIDs in their canonical text form. opened_position is the
-- global position of case.opened and orders case lists (cursor paging).
CREATE TABLE rm_cases (
    case_id          text   PRIMARY KEY,
    employee_id      text   NOT NULL,
    unit_id          text   NOT NULL,
    standard_code    text   NOT NULL,
    category         text   NOT NULL,
    status           text   NOT NULL,
    requested_fen    bigint NOT NULL,
    approved_fen     bigint NOT NULL,
    paid_fen         bigint NOT NULL,
    opened_position  bigint NOT NULL UNIQUE,
    updated_position bigint NOT NULL
);
CREATE INDEX rm_cases_unit ON rm_cases (unit_id, opened_position);
CREATE INDEX rm_cases_status ON rm_cases (status, opened_position);
CREATE INDEX rm_cases_employee ON rm_cases (employee_id, opened_position);
