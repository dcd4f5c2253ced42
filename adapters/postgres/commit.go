package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"aidtrail/domain/event"
)

// Commit implements commands.EventStore.
//
// One transaction, sent as one batch (one round trip; the statements of a
// batch form one implicit transaction, all or nothing): first every
// stream's advisory lock, in stream-name order so that two transactions
// never wait on each other in a cycle — exclusive for streams it appends
// to, shared for streams it requires; then the requirements, read after
// the locks so no append to those streams can be in flight; then each
// append's statement, in order. A requirement or an append whose version
// condition fails raises an error inside the transaction, which undoes it
// all. Every plain Append takes its stream's exclusive lock too, so an
// append to a required stream either committed before the check or waits
// until this commits.
func (s *Store) Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	if err := event.ValidateTransaction(tx); err != nil {
		return nil, err
	}
	if len(tx.Appends) == 1 && len(tx.Require) == 0 {
		a := tx.Appends[0]
		out, err := s.Append(ctx, a.Stream, a.Expected, a.Events...)
		if err != nil {
			return nil, err
		}
		return []event.Appended{out}, nil
	}
	ctx, cancel, err := definite(ctx)
	if err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	defer cancel()
	out, err := s.commitBatch(ctx, tx)
	if err == nil {
		s.committed()
		return out, nil
	}
	var refused errStreamRefused
	var stale *event.ConcurrencyError
	if !errors.As(err, &refused) && !errors.As(err, &stale) && !isUniqueViolation(err, "events_event_id_key") {
		return nil, fmt.Errorf("commit: %w", err)
	}
	// Refused: a retry of a stored transaction (which wins over any
	// version check), a reused id, or a conflict.
	if prior, ok, serr := s.storedTransaction(ctx, tx); serr != nil || ok {
		return prior, serr
	}
	switch {
	case stale != nil:
		return nil, s.conflict(ctx, stale.Stream, stale.Expected)
	case refused.Stream != "":
		return nil, s.conflict(ctx, refused.Stream, refused.Expected)
	default:
		// An id taken by a transaction that then rolled back: retryable.
		return nil, fmt.Errorf("commit: %v: %w", err, event.ErrConcurrency)
	}
}

// commitBatch sends the whole transaction as one batch and reads its
// results; a refusal is a *event.ConcurrencyError (requirement) or
// errStreamRefused (append), any other failure the statement's error.
func (s *Store) commitBatch(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	type lock struct {
		stream    string
		exclusive bool
	}
	locks := make([]lock, 0, len(tx.Appends)+len(tx.Require))
	for _, a := range tx.Appends {
		locks = append(locks, lock{a.Stream, true})
	}
	for _, r := range tx.Require {
		locks = append(locks, lock{r.Stream, false})
	}
	slices.SortFunc(locks, func(a, b lock) int { return strings.Compare(a.stream, b.stream) })
	batch := &pgx.Batch{}
	for _, l := range locks {
		fn := "pg_advisory_xact_lock_shared"
		if l.exclusive {
			fn = "pg_advisory_xact_lock"
		}
		batch.Queue("SELECT "+fn+"(hashtextextended($1, 0))", l.stream)
	}
	for _, r := range tx.Require {
		batch.Queue(requireSQL, r.Stream, r.Version)
	}
	for _, a := range tx.Appends {
		sql, args := appendArgs(a.Stream, a.Expected, a.Events)
		batch.Queue(fmt.Sprintf(strictAppend, sql, len(a.Events)), args...)
	}
	results := s.pool.SendBatch(ctx, batch)
	defer results.Close()
	for range locks {
		if _, err := results.Exec(); err != nil {
			return nil, err
		}
	}
	for _, r := range tx.Require {
		var actual int64
		if err := results.QueryRow().Scan(&actual); err != nil {
			if isDivisionByZero(err) {
				return nil, &event.ConcurrencyError{Stream: r.Stream, Expected: event.Exact(r.Version), Actual: -1}
			}
			return nil, err
		}
	}
	out := make([]event.Appended, 0, len(tx.Appends))
	for _, a := range tx.Appends {
		var res event.Appended
		var ok int
		err := results.QueryRow().Scan(&ok, &res.Version, &res.Position)
		switch {
		case isDivisionByZero(err), isUniqueViolation(err, "events_stream_id_version_key"):
			return nil, errStreamRefused{a}
		case err != nil:
			return nil, err
		}
		out = append(out, res)
	}
	if err := results.Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// requireSQL fails (division by zero, which aborts the transaction) unless
// the stream is at the required version.
const requireSQL = `SELECT 1 / (CASE WHEN coalesce(max(version), 0) = $2 THEN 1 ELSE 0 END)
	FROM events WHERE stream_id = $1`

// strictAppend wraps an append statement so that it fails, aborting the
// transaction, unless it wrote all its events.
const strictAppend = `WITH ins AS (%s)
	SELECT 1 / (CASE WHEN count(*) = %d THEN 1 ELSE 0 END), coalesce(max(version), 0), coalesce(max(position), 0) FROM ins`

func isDivisionByZero(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "22012"
}

// errStreamRefused: an append's version condition did not hold.
type errStreamRefused struct{ event.StreamAppend }

func (e errStreamRefused) Error() string { return "stream " + e.Stream + " refused" }

// storedTransaction reports whether every event of the transaction is
// stored already as it is now, and then each append's first result.
func (s *Store) storedTransaction(ctx context.Context, tx event.Transaction) ([]event.Appended, bool, error) {
	out := make([]event.Appended, 0, len(tx.Appends))
	seen := 0
	for _, a := range tx.Appends {
		res, ok, err := s.storedAppend(ctx, a.Stream, a.Events)
		if err != nil {
			return nil, false, err
		}
		if ok {
			seen++
		}
		out = append(out, res)
	}
	switch seen {
	case len(tx.Appends):
		return out, true, nil
	case 0:
		return nil, false, nil
	default:
		return nil, false, fmt.Errorf("commit: %w", event.ErrDuplicateEvent)
	}
}
