package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aidtrail/domain/event"
)

// An append is one INSERT statement. Its versions follow the stream's
// current one, so the unique (stream_id, version) index refuses a writer
// that lost a race; for an exact expected version the statement also
// requires the event at that version to exist, so a writer that is behind
// and one that is ahead are both refused. Each row's filter takes a
// transaction id before the row draws its position from the sequence:
// every transaction holding a position already has an id, which the
// reader's gap check relies on (README.md).
const appendSQL = `WITH ins AS (
	INSERT INTO events (event_id, stream_id, version, type, data, metadata)
	SELECT e.id, $1, %s + e.ord, e.type, e.data, e.metadata
	FROM %s
	WHERE pg_current_xact_id() IS NOT NULL %s
	ORDER BY e.ord
	RETURNING position, version)
SELECT count(*), coalesce(max(version), 0), coalesce(max(position), 0) FROM ins`

// The events come as arrays, or as plain parameters when there is one: the
// common case, which then costs no array encoding.
const (
	manyEvents = `unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])
		WITH ORDINALITY AS e(id, type, data, metadata, ord)`
	oneEvent = `(SELECT $2::uuid, $3::text, $4::jsonb, $5::jsonb, 1::bigint) AS e(id, type, data, metadata, ord)`

	baseExact    = "$6::bigint"
	baseNoStream = "0"
	baseAny      = "(SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1)"
	exactExists  = "AND EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND version = $6)"
)

// appendStatements holds the statement for each kind of expected version,
// for one event ([0]) and for several ([1]).
var appendStatements = map[string][2]string{
	"exact":     {fmt.Sprintf(appendSQL, baseExact, oneEvent, exactExists), fmt.Sprintf(appendSQL, baseExact, manyEvents, exactExists)},
	"no stream": {fmt.Sprintf(appendSQL, baseNoStream, oneEvent, ""), fmt.Sprintf(appendSQL, baseNoStream, manyEvents, "")},
	"any":       {fmt.Sprintf(appendSQL, baseAny, oneEvent, ""), fmt.Sprintf(appendSQL, baseAny, manyEvents, "")},
}

// anyRetries bounds how often an append with event.Any retries after
// losing a race for the next version of its stream.
const anyRetries = 20

// querier is what an append needs: the pool, or a transaction in tests that
// hold an append open.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Append implements commands.EventStore.
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	out, err := s.appendWith(ctx, s.pool, stream, expected, events)
	if err != nil {
		return event.Appended{}, err
	}
	s.committed()
	return out, nil
}

// appendWith runs the append statement on q. On a refusal it tells a retry
// of an append already stored (success, with the stored result) from a real
// conflict.
func (s *Store) appendWith(ctx context.Context, q querier, stream string, expected event.ExpectedVersion, events []event.Event) (event.Appended, error) {
	if err := event.ValidateAppend(stream, expected, events); err != nil {
		return event.Appended{}, err
	}
	rows, err := encodeAppend(events)
	if err != nil {
		return event.Appended{}, err
	}
	kind, args := "exact", []any{stream, rows.ids, rows.types, rows.data, rows.metadata, int64(expected)}
	switch expected {
	case event.Any:
		kind, args = "any", args[:5]
	case event.NoStream:
		kind, args = "no stream", args[:5]
	}
	sql := appendStatements[kind][1]
	if len(events) == 1 {
		sql = appendStatements[kind][0]
		args[1], args[2], args[3], args[4] = rows.ids[0], rows.types[0], rows.data[0], rows.metadata[0]
	}
	for attempt := 0; ; attempt++ {
		var n int64
		var out event.Appended
		err = q.QueryRow(ctx, sql, args...).Scan(&n, &out.Version, &out.Position)
		switch {
		case err == nil && n == int64(len(events)):
			return out, nil
		case err == nil && n == 0:
			// The exact version is not there: a retry of a stored append, or a conflict.
		case isUniqueViolation(err, "events_event_id_key"):
			// An id is stored already: a retry, or a reuse of an id.
		case isUniqueViolation(err, "events_stream_id_version_key"):
			if expected == event.Any && attempt < anyRetries && !inTx(q) {
				continue // another writer took the next version first
			}
		case err != nil:
			return event.Appended{}, fmt.Errorf("append to %q: %w", stream, err)
		default:
			return event.Appended{}, fmt.Errorf("append to %q: inserted %d of %d events", stream, n, len(events))
		}
		break
	}
	if prior, ok, err := s.storedAppend(ctx, stream, events, rows); err != nil || ok {
		return prior, err
	}
	return event.Appended{}, s.conflict(ctx, stream, expected)
}

// storedAppend reports whether every event of the append is stored already
// with the same content, and then the result the first append had. Any other
// overlap with stored ids is event.ErrDuplicateEvent.
func (s *Store) storedAppend(ctx context.Context, stream string, events []event.Event, enc encodedAppend) (event.Appended, bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT event_id, stream_id, type, data = d, metadata = m, version, position
		FROM events JOIN unnest($1::uuid[], $2::jsonb[], $3::jsonb[]) AS x(id, d, m) ON event_id = x.id`,
		enc.ids, enc.data, enc.metadata)
	if err != nil {
		return event.Appended{}, false, fmt.Errorf("append to %q: check stored ids: %w", stream, err)
	}
	defer rows.Close()
	want := make(map[uuid.UUID]string, len(events))
	for _, e := range events {
		want[e.ID] = e.Type
	}
	var found int
	var out event.Appended
	same := true
	for rows.Next() {
		var id uuid.UUID
		var storedStream, typ string
		var sameData, sameMeta bool
		var version, position int64
		if err := rows.Scan(&id, &storedStream, &typ, &sameData, &sameMeta, &version, &position); err != nil {
			return event.Appended{}, false, fmt.Errorf("append to %q: check stored ids: %w", stream, err)
		}
		found++
		same = same && storedStream == stream && typ == want[id] && sameData && sameMeta
		out.Version = max(out.Version, version)
		out.Position = max(out.Position, position)
	}
	if err := rows.Err(); err != nil {
		return event.Appended{}, false, fmt.Errorf("append to %q: check stored ids: %w", stream, err)
	}
	switch {
	case found == 0:
		return event.Appended{}, false, nil
	case found == len(events) && same:
		return out, true, nil
	default:
		return event.Appended{}, false, fmt.Errorf("append to %q: %w", stream, event.ErrDuplicateEvent)
	}
}

// conflict builds the ErrConcurrency of a refused version check.
func (s *Store) conflict(ctx context.Context, stream string, expected event.ExpectedVersion) error {
	var actual int64
	err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream).Scan(&actual)
	if err != nil {
		return fmt.Errorf("append to %q: read version after conflict: %w", stream, err)
	}
	return &event.ConcurrencyError{Stream: stream, Expected: expected, Actual: actual}
}

// encodedAppend holds an append's columns as the arrays the statement takes.
type encodedAppend struct {
	ids      []uuid.UUID
	types    []string
	data     []string
	metadata []string
}

func encodeAppend(events []event.Event) (encodedAppend, error) {
	enc := encodedAppend{
		ids:      make([]uuid.UUID, len(events)),
		types:    make([]string, len(events)),
		data:     make([]string, len(events)),
		metadata: make([]string, len(events)),
	}
	for i, e := range events {
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return encodedAppend{}, fmt.Errorf("%w: event %d metadata: %v", event.ErrInvalid, i, err)
		}
		enc.ids[i], enc.types[i], enc.data[i], enc.metadata[i] = e.ID, e.Type, string(e.Data), string(meta)
	}
	return enc, nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// inTx reports whether q is a transaction, where a failed statement has
// aborted everything and a retry cannot help.
func inTx(q querier) bool {
	_, ok := q.(pgx.Tx)
	return ok
}
