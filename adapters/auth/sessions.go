package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// Create stores s. Its token hash must be a SHA-256 (32 bytes); the token
// itself never reaches the store.
func (s *Store) Create(ctx context.Context, sess commands.Session) error {
	var errs []error
	if len(sess.TokenHash) != sha256.Size {
		errs = append(errs, fmt.Errorf("token hash of %d bytes, want %d", len(sess.TokenHash), sha256.Size))
	}
	if sess.AccountID == uuid.Nil {
		errs = append(errs, errors.New("no account"))
	}
	if !sess.ExpiresAt.After(sess.CreatedAt) {
		errs = append(errs, errors.New("expires before it is created"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	err := s.write(ctx, func() error {
		_, err := s.db.Exec(ctx, `
			INSERT INTO sessions (token_hash, account_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4)`,
			sess.TokenHash, sess.AccountID, s.ts(sess.CreatedAt), s.ts(sess.ExpiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("create session for account %s: %w", sess.AccountID, err)
	}
	return nil
}

// Find returns the session for tokenHash if it is live at now.
func (s *Store) Find(ctx context.Context, tokenHash []byte, now time.Time) (commands.Session, error) {
	sess := commands.Session{TokenHash: tokenHash}
	var created, expires, revoked nullTime
	err := s.db.QueryRow(ctx, `
		SELECT account_id, created_at, expires_at, revoked_at
		FROM sessions WHERE token_hash = $1`,
		tokenHash).Scan(&sess.AccountID, &created, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return commands.Session{}, fmt.Errorf("%w: unknown token", commands.ErrSessionInvalid)
	}
	if err != nil {
		return commands.Session{}, fmt.Errorf("find session: %w", err)
	}
	if revoked.Valid {
		return commands.Session{}, fmt.Errorf("%w: revoked at %s", commands.ErrSessionInvalid, revoked.Time.Format(time.RFC3339))
	}
	if !expires.Time.After(instant(now)) {
		return commands.Session{}, fmt.Errorf("%w: expired at %s", commands.ErrSessionInvalid, expires.Time.Format(time.RFC3339))
	}
	sess.CreatedAt, sess.ExpiresAt = created.Time, expires.Time
	return sess, nil
}

// Revoke ends the session for tokenHash at now; a session already revoked
// keeps its first revocation time.
func (s *Store) Revoke(ctx context.Context, tokenHash []byte, now time.Time) error {
	n, err := s.change(ctx,
		"UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE token_hash = $1",
		tokenHash, s.ts(now))
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("revoke session: %w: unknown token", commands.ErrSessionInvalid)
	}
	return nil
}

// RevokeAccount ends, at now, every session of accountID that is neither
// revoked nor expired, and returns how many it ended.
func (s *Store) RevokeAccount(ctx context.Context, accountID uuid.UUID, now time.Time) (int, error) {
	n, err := s.change(ctx, `
		UPDATE sessions SET revoked_at = $2
		WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
		accountID, s.ts(now))
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of account %s: %w", accountID, err)
	}
	return int(n), nil
}

// change runs a statement in the Store's turn and returns how many rows it
// changed.
func (s *Store) change(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, func() error {
		res, err := s.db.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
