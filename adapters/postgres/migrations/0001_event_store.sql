-- The event log. Rows are only ever inserted; the triggers below refuse
-- UPDATE, DELETE and TRUNCATE, so corrections are always new events.

-- position is the global order. Its sequence must keep CACHE 1 (the
-- default): readers rely on positions being handed out in increasing order
-- across all sessions (see adapters/postgres/README.md).
CREATE TABLE events (
    position    bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,
    stream_id   text        NOT NULL,
    version     bigint      NOT NULL CHECK (version > 0),
    type        text        NOT NULL,
    -- json, not jsonb: the payload is kept byte for byte as it was
    -- written, so that a hash over it can be checked against the stored
    -- row forever, and reading it back costs no conversion.
    data        json        NOT NULL,
    -- The envelope's metadata (domain/event.Metadata), one column a field;
    -- '' where a field is not set.
    actor_account_id  text        NOT NULL,
    actor_name        text        NOT NULL,
    actor_position_id text        NOT NULL,
    actor_unit_id     text        NOT NULL,
    command_id        text        NOT NULL,
    correlation_id    text        NOT NULL,
    causation_id      text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    schema_version    integer     NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- A stream's versions are 1, 2, 3, ...; this index is also what refuses
    -- the loser of two concurrent appends to one stream.
    UNIQUE (stream_id, version)
);

CREATE FUNCTION events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_immutable_rows
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_refuse_change();

CREATE TRIGGER events_immutable_table
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change();
