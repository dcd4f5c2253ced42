package commands

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The first line of defence (system access): who may sign in, how often a
// wrong password may be tried, and which bearer tokens are live. Passwords
// and tokens never enter an event: the log is immutable and read by
// auditors, so a secret written there could never be withdrawn.

var (
	// ErrLoginTaken: another account already signs in with that login.
	ErrLoginTaken = errors.New("login taken")
	// ErrUnknownLogin: no account signs in with that login.
	ErrUnknownLogin = errors.New("unknown login")
	// ErrSessionInvalid: the bearer token is unknown, expired or revoked.
	// The wrapped message says which; callers answer all three alike
	// (401 unauthenticated), so a client learns nothing from the difference.
	ErrSessionInvalid = errors.New("session invalid")
	// ErrMalformedHash: a stored password hash cannot be read (not the
	// expected format, or parameters outside the accepted bounds). It means
	// the credentials table is damaged or tampered with, not a wrong password.
	ErrMalformedHash = errors.New("malformed password hash")
)

// PasswordHasher hashes and verifies passwords with a deliberately slow,
// memory-hard function. Implementations are safe for concurrent use.
type PasswordHasher interface {
	// Hash returns a self-describing PHC-format string (algorithm,
	// parameters, salt, hash) for password, with a fresh random salt.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded, comparing in
	// constant time. A wrong password is (false, nil); err (matching
	// ErrMalformedHash) is only for an encoding that cannot be read. The
	// parameters come from encoded, so hashes made under older, weaker
	// settings keep verifying after the settings are raised.
	Verify(password, encoded string) (ok bool, err error)
}

// Credentials stores each account's login and password hash (never in an
// event) and counts failed logins. Logins are compared exactly as given:
// callers normalise them (trim, case-fold) before every call. Failures are
// counted per login whether or not an account has it, so throttling reveals
// nothing about which logins exist. Safe for concurrent use.
type Credentials interface {
	// SetPassword inserts or replaces accountID's login and password hash.
	// A login held by another account is ErrLoginTaken.
	SetPassword(ctx context.Context, accountID uuid.UUID, login, encodedHash string) error
	// Lookup returns the account and password hash for login; an unknown
	// login is ErrUnknownLogin.
	Lookup(ctx context.Context, login string) (accountID uuid.UUID, encodedHash string, err error)
	// TakeAttempt takes a slot for one password check of login at now,
	// before the password is hashed, and counts it as a failure until
	// ClearFailures forgets it after a success. Concurrent calls for one
	// login each count once, and only the first FreeFailures of a window
	// are Admitted: no more passwords than that are ever checked per
	// window, however many guesses arrive at once. A lock starts when the
	// count reaches FreeFailures.
	TakeAttempt(ctx context.Context, login string, now time.Time) (Attempt, error)
	// LoginLock returns when the current lock on login ends (zero time: not
	// locked) and the number of recent failures (those in the current
	// window; none once a window or a lock has run out).
	LoginLock(ctx context.Context, login string, now time.Time) (lockedUntil time.Time, failures int, err error)
	// ClearFailures forgets login's failures and lifts its lock, after a
	// successful login or an administrator's reset.
	ClearFailures(ctx context.Context, login string) error
}

// Attempt is a sign-in's slot (Credentials.TakeAttempt).
type Attempt struct {
	// Admitted: the password may be checked. Otherwise the login is
	// locked until LockedUntil and the attempt is refused unchecked.
	Admitted bool
	// Failures counts the attempts of the current window, this one
	// included, as failures.
	Failures int
	// LockedUntil is when the lock in force ends, zero when none is: an
	// admitted attempt may have started it, to be lifted if it succeeds.
	LockedUntil time.Time
}

// Sessions stores bearer tokens by their SHA-256 hash only, so a copy of the
// table signs no one in. Safe for concurrent use.
type Sessions interface {
	// Create stores a new session.
	Create(ctx context.Context, s Session) error
	// Find returns the session whose token hashes to tokenHash if it is live
	// at now; unknown, expired or revoked is ErrSessionInvalid.
	Find(ctx context.Context, tokenHash []byte, now time.Time) (Session, error)
	// Revoke ends the session at now (logout). Revoking a revoked session
	// is a no-op; an unknown one is ErrSessionInvalid.
	Revoke(ctx context.Context, tokenHash []byte, now time.Time) error
	// RevokeAccount ends every live session of accountID at now (the
	// account is closed, or its password changed) and returns how many.
	RevokeAccount(ctx context.Context, accountID uuid.UUID, now time.Time) (int, error)
}

// Session is a signed-in account's bearer token, known by its hash.
type Session struct {
	TokenHash []byte // SHA-256 of the token (HashToken)
	AccountID uuid.UUID
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Default login throttling.
const (
	DefaultFreeFailures = 5
	DefaultLoginWindow  = 15 * time.Minute
	DefaultLockFor      = 15 * time.Minute
)

// LoginPolicy decides how failed logins are throttled. After FreeFailures
// failures within Window of the first one, the login is locked for LockFor:
// every attempt is refused without checking the password. Before that, the
// login use case waits Delay(failures) before answering each failure, which
// slows guessing without locking out an owner who mistypes. A window or a
// lock that has run out starts the count afresh.
type LoginPolicy struct {
	FreeFailures int
	Window       time.Duration
	LockFor      time.Duration
	// Delay maps the number of failures so far (≥ 1) to the wait before
	// answering. It must be safe for concurrent use.
	Delay func(failures int) time.Duration
}

func (p *LoginPolicy) setDefaults() {
	p.FreeFailures = cmp.Or(p.FreeFailures, DefaultFreeFailures)
	p.Window = cmp.Or(p.Window, DefaultLoginWindow)
	p.LockFor = cmp.Or(p.LockFor, DefaultLockFor)
	if p.Delay == nil {
		p.Delay = DefaultLoginDelay
	}
}

// WithDefaults returns p with its zero fields set to the defaults, for
// adapters that enforce the policy.
func (p LoginPolicy) WithDefaults() LoginPolicy {
	p.setDefaults()
	return p
}

// Validate reports every problem with p, joined. Call it on WithDefaults.
func (p LoginPolicy) Validate() error {
	var errs []error
	if p.FreeFailures < 1 {
		errs = append(errs, fmt.Errorf("login policy: FreeFailures %d, want ≥ 1", p.FreeFailures))
	}
	if p.Window <= 0 {
		errs = append(errs, fmt.Errorf("login policy: Window %s, want > 0", p.Window))
	}
	if p.LockFor <= 0 {
		errs = append(errs, fmt.Errorf("login policy: LockFor %s, want > 0", p.LockFor))
	}
	if p.Delay == nil {
		errs = append(errs, errors.New("login policy: Delay is nil"))
	}
	return errors.Join(errs...)
}

// DelayAfter is the wait before answering the failure that brought the
// count to failures; none for no failures.
func (p LoginPolicy) DelayAfter(failures int) time.Duration {
	if failures <= 0 || p.Delay == nil {
		return 0
	}
	return max(p.Delay(failures), 0)
}

// DefaultLoginDelay is 250 ms after the first failure, doubling with each
// further one, at most 4 s.
func DefaultLoginDelay(failures int) time.Duration {
	const base, ceiling = 250 * time.Millisecond, 4 * time.Second
	if failures <= 0 {
		return 0
	}
	if failures > 5 { // 250 ms << 4 already reaches the ceiling
		return ceiling
	}
	return min(base<<(failures-1), ceiling)
}

// TokenPrefix starts every bearer token, so that a token leaked into a log,
// a ticket or a repository is recognisable to secret scanners.
const TokenPrefix = "at_"

// tokenBytes is the token's entropy: 256 bits.
const tokenBytes = 32

// NewToken returns a fresh bearer token (TokenPrefix and 32 random bytes in
// unpadded base64url) and its hash (HashToken). Only the hash is stored; the
// token is shown to its holder once.
func NewToken() (token string, hash []byte, err error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 of token as sent by the client, the key a
// session is stored and found under. A fast hash is enough: a token carries
// 256 random bits, so there is nothing to guess.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
