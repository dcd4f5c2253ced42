package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// writeReq is one Append or Commit waiting for, or being run by, the
// writer. An Append is a transaction of one part and no requirements; the
// writer runs both alike, each in its own savepoint.
type writeReq struct {
	parts   []appendPart
	require []event.Requirement
	commit  bool // a Commit: errors name the append they concern

	// state moves from queued to started (the writer took it) or to
	// abandoned (its caller gave up first); whichever side moves it first
	// decides whether it is written at all.
	state atomic.Int32
	done  chan writeResult // capacity 1; answered once, when state is started
}

// appendPart is one stream's append within a writeReq.
type appendPart struct {
	stream   string
	expected event.ExpectedVersion
	events   []event.Event
	ids      string   // JSON array of the event ids, for the stored-ids lookup
	metadata [][]byte // each event's metadata as stored
}

const (
	reqQueued int32 = iota
	reqStarted
	reqAbandoned
)

// writeResult answers a writeReq: one result per part, or an error.
type writeResult struct {
	out []event.Appended
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
	part, err := newAppendPart(stream, expected, events)
	if err != nil {
		return event.Appended{}, fmt.Errorf("sqlite: %w", err)
	}
	out, err := s.submit(ctx, &writeReq{parts: []appendPart{part}})
	if err != nil {
		return event.Appended{}, err
	}
	return out[0], nil
}

// Commit implements commands.EventStore. It is safe for concurrent use.
// The writer runs a transaction as it runs an Append: all its checks and
// appends inside one savepoint of the current batch, so a refused
// transaction undoes only itself, and a successful one commits (and wakes
// subscribers) with the rest of the batch. Its requirements are read by the
// writer itself, after every request queued before it and before every
// request queued after it, so an append to a required stream either comes
// first (and the transaction, seeing the new version, is refused) or comes
// after it, at higher positions.
//
// ctx is honoured as by Append. Checks run in this order: the event ids
// already stored (all of them, identically: the stored results, nothing
// written; some, or any differently: event.ErrDuplicateEvent), then each
// append's expected version in order, then each requirement in order; the
// *event.ConcurrencyError names the first stream found out of date.
func (s *Store) Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	if err := event.ValidateTransaction(tx); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	req := &writeReq{commit: true, require: tx.Require, parts: make([]appendPart, len(tx.Appends))}
	for i, a := range tx.Appends {
		part, err := newAppendPart(a.Stream, a.Expected, a.Events)
		if err != nil {
			return nil, req.wrap(err)
		}
		req.parts[i] = part
	}
	return s.submit(ctx, req)
}

// submit hands req to the writer and waits for its outcome.
func (s *Store) submit(ctx context.Context, req *writeReq) ([]event.Appended, error) {
	req.done = make(chan writeResult, 1)
	if err := ctx.Err(); err != nil {
		return nil, req.wrap(err)
	}
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return nil, req.wrap(ctx.Err())
	case <-s.closing:
		return nil, req.wrap(errClosed)
	}
	select {
	case r := <-req.done:
		return r.out, r.err
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return nil, req.wrap(ctx.Err())
		}
		r := <-req.done // started: its outcome is moments away
		return r.out, r.err
	}
}

var errClosed = errors.New("store is closed")

// wrap gives err the context of the whole request: the stream of an
// Append, or "commit" (errors about one of a Commit's appends name it
// themselves, see partErr).
func (r *writeReq) wrap(err error) error {
	if r.commit {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return fmt.Errorf("sqlite: append to %q: %w", r.parts[0].stream, err)
}

// partErr names the stream of part i in an error of a Commit; an Append's
// errors carry their stream already (see wrap).
func (r *writeReq) partErr(i int, err error) error {
	if r.commit {
		return fmt.Errorf("append to %q: %w", r.parts[i].stream, err)
	}
	return err
}

func newAppendPart(stream string, expected event.ExpectedVersion, events []event.Event) (appendPart, error) {
	ids := make([]string, len(events))
	metadata := make([][]byte, len(events))
	for i, e := range events {
		ids[i] = e.ID.String()
		m, err := json.Marshal(e.Metadata)
		if err != nil {
			return appendPart{}, fmt.Errorf("append to %q: %w: event %d metadata: %v", stream, event.ErrInvalid, i, err)
		}
		metadata[i] = m
	}
	idList, err := json.Marshal(ids)
	if err != nil {
		return appendPart{}, fmt.Errorf("append to %q: encode ids: %w", stream, err)
	}
	return appendPart{stream: stream, expected: expected, events: events, ids: string(idList), metadata: metadata}, nil
}

// writeTx runs one request inside its savepoint of the batch's
// transaction: a retry of a stored request is answered from the table (so
// a retry succeeds even after its streams moved on), then every expected
// version and requirement is checked, then the events and the streams' new
// versions are written, part after part, so positions rise in the order of
// the parts. A refusal (ErrConcurrency, ErrDuplicateEvent) is decided
// before anything is written; after any error the caller rolls the
// savepoint back. Errors are wrapped with the request's context.
func writeTx(ctx context.Context, st *stmts, r *writeReq, now string) ([]event.Appended, error) {
	if prior, ok, err := storedTx(ctx, st, r); err != nil || ok {
		return prior, err
	}
	current := make([]int64, len(r.parts))
	for i, p := range r.parts {
		v, err := streamVersion(ctx, st, p.stream)
		if err != nil {
			return nil, r.wrap(r.partErr(i, err))
		}
		if p.expected != event.Any && int64(p.expected) != v {
			return nil, r.wrap(&event.ConcurrencyError{Stream: p.stream, Expected: p.expected, Actual: v})
		}
		current[i] = v
	}
	for _, req := range r.require {
		v, err := streamVersion(ctx, st, req.Stream)
		if err != nil {
			return nil, r.wrap(fmt.Errorf("requirement on %q: %w", req.Stream, err))
		}
		if v != req.Version {
			return nil, r.wrap(fmt.Errorf("requirement: %w",
				&event.ConcurrencyError{Stream: req.Stream, Expected: event.Exact(req.Version), Actual: v}))
		}
	}
	out := make([]event.Appended, len(r.parts))
	for i := range r.parts {
		var err error
		if out[i], err = writePart(ctx, st, &r.parts[i], current[i], now); err != nil {
			return nil, r.wrap(r.partErr(i, err))
		}
	}
	return out, nil
}

// streamVersion reads a stream's version: 0 when it has no events.
func streamVersion(ctx context.Context, st *stmts, stream string) (int64, error) {
	var v int64
	err := st.version.QueryRowContext(ctx, stream).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read version: %w", err)
	}
	return v, nil
}

// writePart writes the events of p after version current and sets the
// stream's new version.
func writePart(ctx context.Context, st *stmts, p *appendPart, current int64, now string) (event.Appended, error) {
	var out event.Appended
	for i, e := range p.events {
		out.Version = current + int64(i) + 1
		res, err := st.insert.ExecContext(ctx, e.ID.String(), p.stream, out.Version, e.Type,
			string(e.Data), string(p.metadata[i]), now)
		if err != nil {
			return event.Appended{}, fmt.Errorf("insert event %d: %w", i, err)
		}
		if out.Position, err = res.LastInsertId(); err != nil {
			return event.Appended{}, fmt.Errorf("position of event %d: %w", i, err)
		}
	}
	if _, err := st.bump.ExecContext(ctx, p.stream, out.Version); err != nil {
		return event.Appended{}, fmt.Errorf("bump version: %w", err)
	}
	return out, nil
}

// storedTx reports whether every event of the request is stored already,
// each part as storedAppend requires, and then the results the parts first
// had. Some parts stored and others not is event.ErrDuplicateEvent, as is
// any part only partly stored or stored differently.
func storedTx(ctx context.Context, st *stmts, r *writeReq) ([]event.Appended, bool, error) {
	var out []event.Appended
	stored := 0
	for i := range r.parts {
		prior, ok, err := storedAppend(ctx, st, &r.parts[i])
		if err != nil {
			return nil, false, r.wrap(r.partErr(i, err))
		}
		if ok {
			if out == nil {
				out = make([]event.Appended, len(r.parts))
			}
			out[i] = prior
			stored++
		}
	}
	switch stored {
	case 0:
		return nil, false, nil
	case len(r.parts):
		return out, true, nil
	default:
		return nil, false, r.wrap(fmt.Errorf("%d of %d appends stored already: %w",
			stored, len(r.parts), event.ErrDuplicateEvent))
	}
}

// storedAppend reports whether every event of the part is stored already
// with the same stream, type, payload and metadata, and then the result the
// first append had (version and position of the last of them). Any other
// overlap with stored ids is event.ErrDuplicateEvent.
func storedAppend(ctx context.Context, st *stmts, p *appendPart) (event.Appended, bool, error) {
	rows, err := st.stored.QueryContext(ctx, p.ids)
	if err != nil {
		return event.Appended{}, false, fmt.Errorf("check stored ids: %w", err)
	}
	defer rows.Close()
	index := make(map[uuid.UUID]int, len(p.events))
	for i, e := range p.events {
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
			return event.Appended{}, false, fmt.Errorf("check stored ids: %w", err)
		}
		parsed, err := uuid.Parse(id)
		if err != nil {
			return event.Appended{}, false, fmt.Errorf("stored event id %q: %w", id, err)
		}
		found++
		i, ok := index[parsed]
		same = same && ok && stream == p.stream && typ == p.events[i].Type &&
			event.SameJSON(data, p.events[i].Data) && event.SameJSON(metadata, p.metadata[i])
		out.Version = max(out.Version, version)
		out.Position = max(out.Position, position)
	}
	if err := rows.Err(); err != nil {
		return event.Appended{}, false, fmt.Errorf("check stored ids: %w", err)
	}
	switch {
	case found == 0:
		return event.Appended{}, false, nil
	case found == len(p.events) && same:
		return out, true, nil
	default:
		return event.Appended{}, false, fmt.Errorf("%d of %d ids stored: %w",
			found, len(p.events), event.ErrDuplicateEvent)
	}
}
