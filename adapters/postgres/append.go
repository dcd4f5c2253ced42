package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

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
// reader's gap check relies on (README.md). The guard takes the stream's
// exclusive advisory lock, which a transaction that requires the stream at
// a version holds shared (commit.go): an append to a required stream waits
// for that transaction and is ordered after it.
func appendStatement(base, source, condition string) string {
	return fmt.Sprintf(`INSERT INTO events (stream_id, version, %s)
	SELECT $1, %s + e.ord, %s
	FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS guard, %s
	WHERE pg_current_xact_id() IS NOT NULL %s
	ORDER BY e.ord
	RETURNING position, version`, columnList(""), base, columnList("e."), source, condition)
}

// expectedParam is the parameter that carries an exact expected version.
var expectedParam = fmt.Sprintf("$%d", len(appendColumns)+2)

// appendStatements holds the statement for each kind of expected version,
// for one event ([0]) and for several ([1]). One event, the common case,
// costs no array encoding.
var appendStatements = func() map[string][2]string {
	bases := map[string][2]string{ // base version, extra condition
		"exact":     {expectedParam + "::bigint", "AND EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND version = " + expectedParam + ")"},
		"no stream": {"0", ""},
		"any":       {"(SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1)", ""},
	}
	out := map[string][2]string{}
	for kind, b := range bases {
		out[kind] = [2]string{appendStatement(b[0], appendSource(false), b[1]), appendStatement(b[0], appendSource(true), b[1])}
	}
	return out
}()

// querier is what an append needs: the pool, or a transaction in tests that
// hold an append open.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// writeTimeout bounds a write once it has been sent. From then on the
// caller's cancellation is no longer honoured: a statement the server has
// received may commit after a client gave up on it, and an append must not
// report failure for events that are in fact stored. Waiting for the
// outcome keeps "an error means nothing was written" true, short of a lost
// connection (whose outcome only an idempotent retry can tell).
const writeTimeout = 30 * time.Second

// definite returns a context for a write whose outcome the caller must
// learn: ctx's values and deadline, not its cancellation.
func definite(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	deadline := time.Now().Add(writeTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	return wctx, cancel, nil
}

// Append implements commands.EventStore.
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	ctx, cancel, err := definite(ctx)
	if err != nil {
		return event.Appended{}, fmt.Errorf("append to %q: %w", stream, err)
	}
	defer cancel()
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
	sql, args := appendArgs(stream, expected, events)
	for attempt := 0; ; attempt++ {
		run := runAppend
		if attempt > 0 {
			run = s.runAppendLocked
		}
		out, n, err := run(ctx, q, sql, args)
		switch {
		case err == nil && n == len(events):
			return out, nil
		case err == nil && n == 0:
			// The exact version is not there: a retry of a stored append, or a conflict.
		case isUniqueViolation(err, "events_event_id_key"):
			// An id is stored already: a retry, or a reuse of an id.
		case isUniqueViolation(err, "events_stream_id_version_key"):
			if expected == event.Any && attempt == 0 && !inTx(q) {
				continue // another writer took the next version first
			}
		case err != nil:
			return event.Appended{}, fmt.Errorf("append to %q: %w", stream, err)
		default:
			return event.Appended{}, fmt.Errorf("append to %q: inserted %d of %d events", stream, n, len(events))
		}
		break
	}
	if prior, ok, err := s.storedAppend(ctx, stream, events); err != nil || ok {
		return prior, err
	}
	return event.Appended{}, s.conflict(ctx, stream, expected)
}

// appendArgs picks the statement for an append and its parameters.
func appendArgs(stream string, expected event.ExpectedVersion, events []event.Event) (string, []any) {
	cols := newColumnRows(events)
	kind := "exact"
	switch expected {
	case event.Any:
		kind = "any"
	case event.NoStream:
		kind = "no stream"
	}
	sql, args := appendStatements[kind][1], append([]any{stream}, cols.arrays()...)
	if len(events) == 1 {
		sql, args = appendStatements[kind][0], append([]any{stream}, cols.scalars(0)...)
	}
	if kind == "exact" {
		args = append(args, int64(expected))
	}
	return sql, args
}

// runAppendLocked runs an Any append that lost a race for its stream's
// next version: the single statement reads the version in a snapshot taken
// before it waits for the stream's lock, so on a busy stream it can keep
// losing. Here the lock is taken first, in its own statement, and the
// append's snapshot, taken after, sees every earlier writer: it cannot lose.
func (s *Store) runAppendLocked(ctx context.Context, _ querier, sql string, args []any) (event.Appended, int, error) {
	var out event.Appended
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", args[0]); err != nil {
			return err
		}
		var err error
		out, n, err = runAppend(ctx, tx, sql, args)
		return err
	})
	return out, n, err
}

// runAppend runs an append statement and sums up what it inserted.
func runAppend(ctx context.Context, q querier, sql string, args []any) (event.Appended, int, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return event.Appended{}, 0, err
	}
	defer rows.Close()
	var out event.Appended
	n := 0
	for rows.Next() {
		var version, position int64
		if err := rows.Scan(&position, &version); err != nil {
			return event.Appended{}, 0, err
		}
		out.Version, out.Position = max(out.Version, version), max(out.Position, position)
		n++
	}
	return out, n, rows.Err()
}

// storedAppend reports whether every event of the append is stored already
// with the same content, and then the result the first append had. Any other
// overlap with stored ids is event.ErrDuplicateEvent.
func (s *Store) storedAppend(ctx context.Context, stream string, events []event.Event) (event.Appended, bool, error) {
	want := make(map[uuid.UUID]event.Event, len(events))
	ids := make([]uuid.UUID, len(events))
	data := make([]string, len(events))
	for i, e := range events {
		want[e.ID], ids[i], data[i] = e, e.ID, string(e.Data)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+selectColumns+`, data::text = x.d
		FROM events JOIN unnest($1::uuid[], $2::text[]) AS x(id, d) ON event_id = x.id`, ids, data)
	if err != nil {
		return event.Appended{}, false, fmt.Errorf("append to %q: check stored ids: %w", stream, err)
	}
	defer rows.Close()
	var found int
	var out event.Appended
	same := true
	for rows.Next() {
		var r event.Recorded
		var sameData bool
		if err := rows.Scan(append(recordedFields(&r), &sameData)...); err != nil {
			return event.Appended{}, false, fmt.Errorf("append to %q: check stored ids: %w", stream, err)
		}
		found++
		w := want[r.ID]
		same = same && sameData && r.Stream == stream && r.Type == w.Type && sameMetadata(r.Metadata, w.Metadata)
		out.Version, out.Position = max(out.Version, r.Version), max(out.Position, r.Position)
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

// sameMetadata compares stored metadata with an append's, at the precision
// the store keeps.
func sameMetadata(stored, appended event.Metadata) bool {
	sameTime := stored.OccurredAt.Equal(storedTime(appended.OccurredAt))
	stored.OccurredAt, appended.OccurredAt = time.Time{}, time.Time{}
	return sameTime && stored == appended
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
