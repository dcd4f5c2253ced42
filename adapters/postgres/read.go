package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/domain/event"
)

const selectEvents = `SELECT ` + selectColumns + ` FROM events `

// gapWait bounds how long one read waits for the appends that may still
// fill a hole in the global order. A read that gives up returns what lies
// before the hole and reports it pending; the next read tries again.
// headWait is the same bound for Head, which must answer promptly.
const (
	gapWait  = 100 * time.Millisecond
	headWait = 20 * time.Millisecond
)

// ReadStream implements commands.EventStore.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64) ([]event.Recorded, error) {
	rows, err := s.pool.Query(ctx, selectEvents+"WHERE stream_id = $1 AND version >= $2 ORDER BY version", stream, from)
	if err != nil {
		return nil, fmt.Errorf("read stream %q: %w", stream, err)
	}
	out, err := scanEvents(rows, 0)
	if err != nil {
		return nil, fmt.Errorf("read stream %q: %w", stream, err)
	}
	if len(out) == 0 {
		// Nothing from version from on: the stream is shorter, or it does
		// not exist. The second query sees a later snapshot, in which an
		// append that committed meanwhile may have created the stream; the
		// answer is then the stream as it is now.
		var exists bool
		if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = $1)", stream).Scan(&exists); err != nil {
			return nil, fmt.Errorf("read stream %q: %w", stream, err)
		}
		if !exists {
			return nil, fmt.Errorf("read stream %q: %w", stream, event.ErrNotFound)
		}
		if from <= 1 {
			return s.ReadStream(ctx, stream, from)
		}
	}
	return out, nil
}

// ReadAll implements commands.EventStore.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error) {
	out, _, err := s.readSafe(ctx, after, limit)
	return out, err
}

// readSafe reads the global order after a position without ever passing a
// position that may still commit.
//
// Positions are drawn from a sequence inside the appending transaction, so
// they become visible out of order and rolled-back appends leave holes. A
// page without holes is safe as it is. A page with holes is safe once every
// transaction that could own a hole has ended: each such transaction drew
// its position before the rows after the hole were read, so it was holding
// the events table's insert lock, with a transaction id, at the time of the
// read and holds both until it ends. awaitAppenders waits for every
// transaction holding that lock after the read; reading the page's range
// again then gives its final content. An unrelated long transaction does
// not hold readers back. (README.md: "Why readers never skip an event".)
func (s *Store) readSafe(ctx context.Context, after int64, limit int) ([]event.Recorded, bool, error) {
	if limit <= 0 {
		return nil, false, fmt.Errorf("read all: %w: limit %d", event.ErrInvalid, limit)
	}
	out, err := s.readRange(ctx, after, 0, limit)
	if err != nil {
		return nil, false, err
	}
	hole := firstHole(after, out)
	if hole == len(out) {
		return out, false, nil
	}
	last := out[len(out)-1].Position
	settled, err := s.awaitAppenders(ctx, time.Now().Add(gapWait))
	if err != nil {
		return nil, false, err
	}
	if !settled {
		return out[:hole], true, nil
	}
	out, err = s.readRange(ctx, after, last, limit)
	return out, false, err
}

// firstHole returns the index of the first event whose position does not
// follow its predecessor's (or after), or len(events) when there is none.
func firstHole(after int64, events []event.Recorded) int {
	for i, e := range events {
		if e.Position != after+int64(i)+1 {
			return i
		}
	}
	return len(events)
}

// readRange reads at most limit events with after < position ≤ upTo, in
// order; upTo 0 means no upper bound.
func (s *Store) readRange(ctx context.Context, after, upTo int64, limit int) ([]event.Recorded, error) {
	var rows pgx.Rows
	var err error
	if upTo > 0 {
		rows, err = s.pool.Query(ctx, selectEvents+"WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3", after, upTo, limit)
	} else {
		rows, err = s.pool.Query(ctx, selectEvents+"WHERE position > $1 ORDER BY position LIMIT $2", after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after, err)
	}
	out, err := scanEvents(rows, limit)
	if err != nil {
		return nil, fmt.Errorf("read all after %d: %w", after, err)
	}
	return out, nil
}

// Head implements commands.EventStore. It waits briefly for appends in
// flight; when one stays open it answers at once with the position before
// the first hole that open appends may still fill.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var head int64
	if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(position), 0) FROM events").Scan(&head); err != nil {
		return 0, fmt.Errorf("head: %w", err)
	}
	settled, err := s.awaitAppenders(ctx, time.Now().Add(headWait))
	if err != nil {
		return 0, fmt.Errorf("head: %w", err)
	}
	if settled {
		return head, nil
	}
	// The last position before the first hole is safe: everything up to it
	// is committed. Holes below a position already delivered are settled.
	var beforeHole *int64
	err = s.pool.QueryRow(ctx, `SELECT prev FROM (
			SELECT position, lag(position) OVER (ORDER BY position) AS prev FROM events) x
		WHERE position <> prev + 1 ORDER BY position DESC LIMIT 1`).Scan(&beforeHole)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("head: %w", err)
	}
	if beforeHole != nil {
		return *beforeHole, nil
	}
	return head, nil
}

func scanEvents(rows pgx.Rows, capacity int) ([]event.Recorded, error) {
	defer rows.Close()
	out := make([]event.Recorded, 0, capacity)
	for rows.Next() {
		var e event.Recorded
		if err := rows.Scan(recordedFields(&e)...); err != nil {
			return nil, err
		}
		e.Metadata.OccurredAt, e.RecordedAt = e.Metadata.OccurredAt.UTC(), e.RecordedAt.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// recordedFields are the scan targets of selectColumns in e.
func recordedFields(e *event.Recorded) []any {
	m := &e.Metadata
	return []any{&e.Position, &e.ID, &e.Stream, &e.Version, &e.Type, (*[]byte)(&e.Data),
		&m.ActorAccountID, &m.ActorName, &m.ActorPositionID, &m.ActorUnitID,
		&m.CommandID, &m.CorrelationID, &m.CausationID, &m.OccurredAt, &m.SchemaVersion, &e.RecordedAt}
}
