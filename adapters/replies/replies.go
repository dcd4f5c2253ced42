// Package replies stores the answers to commands sent with an
// Idempotency-Key, on PostgreSQL or the embedded store (one SQL code path),
// so that a client retrying after a lost answer gets the first answer and
// the command has exactly one effect.
package replies

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
)

// Reply is a stored answer, or a claim while its command runs.
type Reply struct {
	Fingerprint []byte // what the request was: a retry must match it
	Done        bool   // the answer is stored; false while the command runs
	Status      int
	ContentType string
	Body        []byte
}

// Store implements the HTTP layer's reply store. Safe for concurrent use.
type Store struct {
	db *sqldb.DB
	// Stale is how long a claim may stay incomplete before another request
	// with the key takes it over (its process is presumed dead).
	Stale time.Duration
}

// DefaultStale is short: a claim only spares the service running a
// retried command twice at once. Running it twice is safe — a keyed
// command answers a second run as it answered the first, with one effect
// (commands' answer stream) — so a retry after a crash need not wait long
// for the dead run's claim.
const DefaultStale = 10 * time.Second

// New returns a Store on db, whose migrations created idempotent_replies.
func New(db *sqldb.DB) *Store { return &Store{db: db, Stale: DefaultStale} }

// Claim starts the request (account, key). It returns nil when the caller
// now holds the claim and must run the command, then Complete or Release;
// otherwise the reply already there: finished (Done), or still running.
// Of concurrent claims for one key, exactly one gets nil.
func (s *Store) Claim(ctx context.Context, account uuid.UUID, key string, fingerprint []byte, now time.Time) (*Reply, error) {
	res, err := s.db.Exec(ctx, `INSERT INTO idempotent_replies (account_id, key, fingerprint, claimed_ms)
		VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING`,
		account.String(), key, fingerprint, now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, err
	}
	// Taken: by a finished request, a running one, or one whose process died.
	res, err = s.db.Exec(ctx, `UPDATE idempotent_replies SET claimed_ms = $3, fingerprint = $4
		WHERE account_id = $1 AND key = $2 AND completed_ms IS NULL AND claimed_ms < $5 AND fingerprint = $4`,
		account.String(), key, now.UnixMilli(), fingerprint, now.Add(-s.Stale).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("take over idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, err
	}
	var r Reply
	var completed sql.NullInt64
	var status sql.NullInt64
	var contentType sql.NullString
	err = s.db.QueryRow(ctx, `SELECT fingerprint, completed_ms, status, content_type, body
		FROM idempotent_replies WHERE account_id = $1 AND key = $2`, account.String(), key).
		Scan(&r.Fingerprint, &completed, &status, &contentType, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return s.Claim(ctx, account, key, fingerprint, now) // released meanwhile
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	r.Done, r.Status, r.ContentType = completed.Valid, int(status.Int64), contentType.String
	return &r, nil
}

// Complete stores the answer of a claimed request.
func (s *Store) Complete(ctx context.Context, account uuid.UUID, key string, fingerprint []byte, r Reply, now time.Time) error {
	res, err := s.db.Exec(ctx, `UPDATE idempotent_replies SET completed_ms = $4, status = $5, content_type = $6, body = $7
		WHERE account_id = $1 AND key = $2 AND fingerprint = $3 AND completed_ms IS NULL`,
		account.String(), key, fingerprint, now.UnixMilli(), r.Status, r.ContentType, r.Body)
	if err != nil {
		return fmt.Errorf("store reply: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, errors.New("store reply: the claim was lost"))
	}
	return nil
}

// Release gives up a claim whose command failed, so that a retry runs it.
func (s *Store) Release(ctx context.Context, account uuid.UUID, key string, fingerprint []byte) error {
	_, err := s.db.Exec(ctx, `DELETE FROM idempotent_replies
		WHERE account_id = $1 AND key = $2 AND fingerprint = $3 AND completed_ms IS NULL`, account.String(), key, fingerprint)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// Same reports whether a stored reply answers a request with fingerprint.
func (r Reply) Same(fingerprint []byte) bool { return bytes.Equal(r.Fingerprint, fingerprint) }
