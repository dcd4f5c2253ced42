package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/adapters/internal/subscription"
	"aidtrail/domain/event"
)

const selectEvents = `SELECT position, event_id, stream_id, version, type, data, metadata, recorded_at FROM events `

// ReadStream implements commands.EventStore. It reads from the readers'
// pool and sees only committed events. A stream with no events is an error
// matching event.ErrNotFound; a stream whose events all have versions below
// from gives an empty slice.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64) ([]event.Recorded, error) {
	rows, err := s.read.QueryContext(ctx, selectEvents+`WHERE stream_id = ? AND version >= ? ORDER BY version`, stream, from)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read stream %q: %w", stream, err)
	}
	out, err := scanEvents(rows, 0)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read stream %q: %w", stream, err)
	}
	if len(out) > 0 {
		return out, nil
	}
	var exists bool
	err = s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM streams WHERE stream_id = ?)`, stream).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read stream %q: %w", stream, err)
	}
	if !exists {
		return nil, fmt.Errorf("sqlite: read stream %q: %w", stream, event.ErrNotFound)
	}
	return out, nil
}

// ReadAll implements commands.EventStore. Positions commit in increasing
// order (one writer), and readers see only committed transactions, so every
// event returned has all lower positions already visible. A limit below 1
// is event.ErrInvalid.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlite: read all: %w: limit %d", event.ErrInvalid, limit)
	}
	rows, err := s.read.QueryContext(ctx, selectEvents+`WHERE position > ? ORDER BY position LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read all after %d: %w", after, err)
	}
	out, err := scanEvents(rows, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: read all after %d: %w", after, err)
	}
	return out, nil
}

// Head implements commands.EventStore: the highest committed position, 0
// when the store is empty.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var head int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM events`).Scan(&head); err != nil {
		return 0, fmt.Errorf("sqlite: head: %w", err)
	}
	return head, nil
}

// Subscribe implements commands.EventStore. Appends through this Store wake
// subscribers at once; appends by other processes sharing the file are
// found by the subscription's periodic poll.
func (s *Store) Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error {
	read := func(ctx context.Context, after int64, limit int) ([]event.Recorded, bool, error) {
		events, err := s.ReadAll(ctx, after, limit)
		return events, false, err // nothing is ever in flight below a visible position
	}
	return subscription.Run(ctx, subscription.Config{}, read, s.wake, after, fn)
}

// scanEvents reads rows to the end and closes them. sizeHint preallocates.
func scanEvents(rows *sql.Rows, sizeHint int) ([]event.Recorded, error) {
	defer rows.Close()
	out := make([]event.Recorded, 0, min(sizeHint, 1024))
	for rows.Next() {
		var e event.Recorded
		var id, recordedAt string
		var data, metadata []byte
		if err := rows.Scan(&e.Position, &id, &e.Stream, &e.Version, &e.Type, &data, &metadata, &recordedAt); err != nil {
			return nil, err
		}
		var err error
		if e.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("position %d: event id %q: %w", e.Position, id, err)
		}
		if err := json.Unmarshal(metadata, &e.Metadata); err != nil {
			return nil, fmt.Errorf("position %d: metadata: %w", e.Position, err)
		}
		if e.RecordedAt, err = parseTime(recordedAt); err != nil {
			return nil, fmt.Errorf("position %d: recorded_at: %w", e.Position, err)
		}
		e.Data = data
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
