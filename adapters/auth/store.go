package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
)

// Store keeps credentials, failed-login counts and sessions in the tables
// of migration 0003 (credentials, login_failures, sessions), on PostgreSQL
// or SQLite. It is safe for concurrent use, also by several processes
// sharing one database: every change is one atomic statement.
type Store struct {
	db     *sqldb.DB
	policy commands.LoginPolicy
	now    func() time.Time // for credentials.updated_at only
	// turn, on SQLite, lets one of the Store's changes run at a time.
	// SQLite admits one writer; without the queue, a burst of failed
	// logins would have a connection each retrying the file lock, and the
	// unlucky ones would give up after the busy timeout.
	turn chan struct{}
}

var (
	_ commands.Credentials = (*Store)(nil)
	_ commands.Sessions    = (*Store)(nil)
)

// NewStore returns a Store that throttles logins by the default
// commands.LoginPolicy.
func NewStore(db *sqldb.DB) *Store {
	s := &Store{db: db, policy: commands.LoginPolicy{}.WithDefaults(), now: time.Now}
	if db.Dialect() == sqldb.SQLite {
		s.turn = make(chan struct{}, 1)
	}
	return s
}

// write runs fn, which changes the database, in the Store's turn.
func (s *Store) write(ctx context.Context, fn func() error) error {
	if s.turn == nil {
		return fn()
	}
	select {
	case s.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.turn }()
	return fn()
}

// NewStoreWithPolicy returns a Store that throttles logins by policy, zero
// fields taking the defaults. The login use case must be given the same
// policy, for the delays.
func NewStoreWithPolicy(db *sqldb.DB, policy commands.LoginPolicy) (*Store, error) {
	policy = policy.WithDefaults()
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	s := NewStore(db)
	s.policy = policy
	return s, nil
}

// SetPassword inserts or replaces the account's login and hash in one
// statement; the unique index on login refuses a login another account
// holds, also between concurrent calls.
func (s *Store) SetPassword(ctx context.Context, accountID uuid.UUID, login, encodedHash string) error {
	if accountID == uuid.Nil || login == "" || encodedHash == "" {
		return errors.New("set password: account, login and hash are required")
	}
	err := s.write(ctx, func() error {
		_, err := s.db.Exec(ctx, `
			INSERT INTO credentials (account_id, login, password_hash, updated_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id) DO UPDATE SET
				login = excluded.login,
				password_hash = excluded.password_hash,
				updated_at = excluded.updated_at`,
			accountID, login, encodedHash, s.ts(s.now()))
		return err
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("set password for account %s: %w", accountID, commands.ErrLoginTaken)
	}
	if err != nil {
		return fmt.Errorf("set password for account %s: %w", accountID, err)
	}
	return nil
}

// Lookup finds the account that signs in with login.
func (s *Store) Lookup(ctx context.Context, login string) (uuid.UUID, string, error) {
	var id uuid.UUID
	var hash string
	err := s.db.QueryRow(ctx,
		"SELECT account_id, password_hash FROM credentials WHERE login = $1", login).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, "", commands.ErrUnknownLogin
	}
	if err != nil {
		return uuid.Nil, "", fmt.Errorf("look up login: %w", err)
	}
	return id, hash, nil
}

// failedLogin counts one attempt as a failure in a single UPSERT, so concurrent failures
// for one login are serialised by the row and each counts once. With the
// row as it was (every reference to login_failures.* below):
//   - locked: a lock is in force. The failure counts, but neither the
//     window nor the lock moves: hammering a locked login does not prolong
//     its owner's lockout.
//   - fresh: not locked, and the window has run out or a lock has been
//     served. The count starts again at 1 in a new window.
//
// A lock starts when the new count reaches FreeFailures.
//
// $1 login, $2 now, $3 now−Window, $4 now+LockFor, $5 FreeFailures, $6 the
// lock of a first failure (NULL unless FreeFailures is 1).
const failedLogin = `
INSERT INTO login_failures (login, failures, window_started_at, locked_until)
VALUES ($1, 1, $2, $6)
ON CONFLICT (login) DO UPDATE SET
	failures = CASE
		WHEN ` + fresh + ` THEN 1
		ELSE login_failures.failures + 1 END,
	window_started_at = CASE
		WHEN ` + fresh + ` THEN $2
		ELSE login_failures.window_started_at END,
	locked_until = CASE
		WHEN ` + locked + ` THEN login_failures.locked_until
		WHEN (CASE WHEN ` + fresh + ` THEN 1 ELSE login_failures.failures + 1 END) >= $5 THEN $4
		ELSE NULL END
RETURNING failures, locked_until`

const (
	locked = `(login_failures.locked_until IS NOT NULL AND login_failures.locked_until > $2)`
	fresh  = `(NOT ` + locked + ` AND (login_failures.window_started_at <= $3 OR login_failures.locked_until IS NOT NULL))`
)

// TakeAttempt counts an attempt for login at now as a failure, in one
// statement, and admits it when it is one of the window's first
// FreeFailures. The row serialises concurrent attempts, so each counts
// once and the attempts past FreeFailures find the lock the last admitted
// one started.
func (s *Store) TakeAttempt(ctx context.Context, login string, now time.Time) (commands.Attempt, error) {
	p := s.policy
	var firstLock any
	if p.FreeFailures <= 1 {
		firstLock = s.ts(now.Add(p.LockFor))
	}
	var failures int
	var until nullTime
	err := s.write(ctx, func() error {
		return s.db.QueryRow(ctx, failedLogin,
			login, s.ts(now), s.ts(now.Add(-p.Window)), s.ts(now.Add(p.LockFor)), p.FreeFailures, firstLock,
		).Scan(&failures, &until)
	})
	if err != nil {
		return commands.Attempt{}, fmt.Errorf("take a sign-in attempt: %w", err)
	}
	a := commands.Attempt{Admitted: failures <= p.FreeFailures, Failures: failures}
	if until.Valid && until.Time.After(instant(now)) {
		a.LockedUntil = until.Time
	}
	return a, nil
}

// LoginLock reads login's lock and recent failures as of now.
func (s *Store) LoginLock(ctx context.Context, login string, now time.Time) (time.Time, int, error) {
	now = instant(now)
	var failures int
	var started, until nullTime
	err := s.db.QueryRow(ctx,
		"SELECT failures, window_started_at, locked_until FROM login_failures WHERE login = $1",
		login).Scan(&failures, &started, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, 0, nil
	}
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("read login lock: %w", err)
	}
	switch {
	case until.Valid && until.Time.After(now):
		return until.Time, failures, nil
	case until.Valid, !started.Time.After(now.Add(-s.policy.Window)):
		return time.Time{}, 0, nil // the lock was served, or the window ran out
	default:
		return time.Time{}, failures, nil
	}
}

// ClearFailures forgets login's failures and lifts its lock.
func (s *Store) ClearFailures(ctx context.Context, login string) error {
	err := s.write(ctx, func() error {
		_, err := s.db.Exec(ctx, "DELETE FROM login_failures WHERE login = $1", login)
		return err
	})
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// isUniqueViolation recognises a unique-index violation from either engine.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlite.Error
	return errors.As(err, &liteErr) && liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// timeLayout is how SQLite stores times: RFC 3339 in UTC with all nine
// fractional digits, fixed width so that text comparison orders as time
// does (the queries compare times in SQL). PostgreSQL stores timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// ts converts a time to the argument the dialect stores, truncated to the
// microsecond (timestamptz's resolution) on both, so that both engines
// store, compare and return the same instants. Every time passed to a
// query goes through it.
func (s *Store) ts(t time.Time) any {
	t = instant(t)
	if s.db.Dialect() == sqldb.SQLite {
		return t.Format(timeLayout)
	}
	return t
}

// instant is t as the store keeps it: UTC, whole microseconds. Times the
// store compares in Go go through it too, so Go and SQL agree at the edges.
func instant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime scans a time column of either dialect (timestamptz or the text
// of ts), NULL as not Valid. Every time read from a query goes through it.
type nullTime struct {
	Time  time.Time
	Valid bool
}

func (n *nullTime) Scan(v any) error {
	var err error
	switch v := v.(type) {
	case nil:
		*n = nullTime{}
		return nil
	case time.Time:
		n.Time = v
	case string:
		n.Time, err = time.Parse(time.RFC3339Nano, v)
	case []byte:
		n.Time, err = time.Parse(time.RFC3339Nano, string(v))
	default:
		err = fmt.Errorf("unsupported type %T", v)
	}
	if err != nil {
		return fmt.Errorf("scan time: %w", err)
	}
	n.Time, n.Valid = n.Time.UTC(), true
	return nil
}
