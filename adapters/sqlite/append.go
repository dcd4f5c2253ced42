package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// appendReq is one Append waiting for, or being run by, the writer.
type appendReq struct {
	stream   string
	expected event.ExpectedVersion
	events   []event.Event
	ids      string   // JSON array of the event ids, for the stored-ids lookup
	metadata [][]byte // each event's metadata as stored

	// state moves from queued to started (the writer took it) or to
	// abandoned (its caller gave up first); whichever side moves it first
	// decides whether it is written at all.
	state atomic.Int32
	done  chan appendResult // capacity 1; answered once, when state is started
}

const (
	reqQueued int32 = iota
	reqStarted
	reqAbandoned
)

type appendResult struct {
	out event.Appended
	err error
}

// Append implements commands.EventStore. It is safe for concurrent use;
// concurrent appends are committed together (see the package comment).
//
// ctx is honoured until the writer starts the append. From then on the
// append runs to its commit, which takes one batch's time, and Append
// reports its real outcome: an error means the append did not commit, and
// success means its events are on disk (synchronous=FULL).
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error) {
	if err := event.ValidateAppend(stream, expected, events); err != nil {
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: %w", stream, err)
	}
	req, err := newAppendReq(stream, expected, events)
	if err != nil {
		return event.Appended{}, err
	}
	if err := ctx.Err(); err != nil {
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: %w", stream, err)
	}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: %w", stream, ctx.Err())
	case <-s.closing:
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: %w", stream, errClosed)
	}
	select {
	case r := <-req.done:
		return r.out, r.err
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return event.Appended{}, fmt.Errorf("sqlite: append to %q: %w", stream, ctx.Err())
		}
		r := <-req.done // started: its outcome is moments away
		return r.out, r.err
	}
}

var errClosed = errors.New("store is closed")

func newAppendReq(stream string, expected event.ExpectedVersion, events []event.Event) (*appendReq, error) {
	ids := make([]string, len(events))
	metadata := make([][]byte, len(events))
	for i, e := range events {
		ids[i] = e.ID.String()
		m, err := json.Marshal(e.Metadata)
		if err != nil {
			return nil, fmt.Errorf("sqlite: append to %q: %w: event %d metadata: %v", stream, event.ErrInvalid, i, err)
		}
		metadata[i] = m
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: append to %q: encode ids: %w", stream, err)
	}
	return &appendReq{
		stream:   stream,
		expected: expected,
		events:   events,
		ids:      string(idList),
		metadata: metadata,
		done:     make(chan appendResult, 1),
	}, nil
}

// appendTx runs one append inside its savepoint of the batch's
// transaction: a retry of a stored append is answered from the table (so a
// retry succeeds even after the stream moved on), then the expected version
// is checked, then the events and the stream's new version are written. A
// refusal (ErrConcurrency, ErrDuplicateEvent) is decided before anything is
// written; after any error the caller rolls the savepoint back.
func appendTx(ctx context.Context, st *stmts, r *appendReq, now string) (event.Appended, error) {
	if prior, ok, err := storedAppend(ctx, st, r); err != nil || ok {
		return prior, err
	}
	var current int64
	err := st.version.QueryRowContext(ctx, r.stream).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: read version: %w", r.stream, err)
	}
	if r.expected != event.Any && int64(r.expected) != current {
		return event.Appended{}, fmt.Errorf("sqlite: append: %w",
			&event.ConcurrencyError{Stream: r.stream, Expected: r.expected, Actual: current})
	}
	var out event.Appended
	for i, e := range r.events {
		out.Version = current + int64(i) + 1
		res, err := st.insert.ExecContext(ctx, e.ID.String(), r.stream, out.Version, e.Type,
			string(e.Data), string(r.metadata[i]), now)
		if err != nil {
			return event.Appended{}, fmt.Errorf("sqlite: append to %q: insert event %d: %w", r.stream, i, err)
		}
		if out.Position, err = res.LastInsertId(); err != nil {
			return event.Appended{}, fmt.Errorf("sqlite: append to %q: position of event %d: %w", r.stream, i, err)
		}
	}
	if _, err := st.bump.ExecContext(ctx, r.stream, out.Version); err != nil {
		return event.Appended{}, fmt.Errorf("sqlite: append to %q: bump version: %w", r.stream, err)
	}
	return out, nil
}

// storedAppend reports whether every event of the append is stored already
// with the same stream, type, payload and metadata, and then the result the
// first append had (version and position of the last of them). Any other
// overlap with stored ids is event.ErrDuplicateEvent.
func storedAppend(ctx context.Context, st *stmts, r *appendReq) (event.Appended, bool, error) {
	rows, err := st.stored.QueryContext(ctx, r.ids)
	if err != nil {
		return event.Appended{}, false, fmt.Errorf("sqlite: append to %q: check stored ids: %w", r.stream, err)
	}
	defer rows.Close()
	index := make(map[uuid.UUID]int, len(r.events))
	for i, e := range r.events {
		index[e.ID] = i
	}
	var found int
	var out event.Appended
	same := true
	for rows.Next() {
		var id, stream, typ string
		var version, position int64
		var data, metadata []byte
		if err := rows.Scan(&id, &stream, &version, &position, &typ, &data, &metadata); err != nil {
			return event.Appended{}, false, fmt.Errorf("sqlite: append to %q: check stored ids: %w", r.stream, err)
		}
		parsed, err := uuid.Parse(id)
		if err != nil {
			return event.Appended{}, false, fmt.Errorf("sqlite: append to %q: stored event id %q: %w", r.stream, id, err)
		}
		found++
		i, ok := index[parsed]
		same = same && ok && stream == r.stream && typ == r.events[i].Type &&
			sameJSON(data, r.events[i].Data) && sameJSON(metadata, r.metadata[i])
		out.Version = max(out.Version, version)
		out.Position = max(out.Position, position)
	}
	if err := rows.Err(); err != nil {
		return event.Appended{}, false, fmt.Errorf("sqlite: append to %q: check stored ids: %w", r.stream, err)
	}
	switch {
	case found == 0:
		return event.Appended{}, false, nil
	case found == len(r.events) && same:
		return out, true, nil
	default:
		return event.Appended{}, false, fmt.Errorf("sqlite: append to %q: %d of %d ids stored: %w",
			r.stream, found, len(r.events), event.ErrDuplicateEvent)
	}
}

// sameJSON reports whether two JSON documents are equal: byte for byte (the
// usual case, a retry sends what it sent), or as values, with numbers
// compared by their text so that no int64 is rounded through a float.
func sameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	va, okA := decodeJSON(a)
	vb, okB := decodeJSON(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

func decodeJSON(doc []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}
