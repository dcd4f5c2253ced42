package auth_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/auth"
	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

func newSession(t *testing.T, s *auth.Store, account uuid.UUID, created time.Time, ttl time.Duration) (string, commands.Session) {
	t.Helper()
	token, hash, err := commands.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	sess := commands.Session{TokenHash: hash, AccountID: account, CreatedAt: created, ExpiresAt: created.Add(ttl)}
	if err := s.Create(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	return token, sess
}

// invalid checks that Find refuses the session, saying why.
func invalid(t *testing.T, s *auth.Store, hash []byte, now time.Time, why string) {
	t.Helper()
	_, err := s.Find(t.Context(), hash, now)
	if !errors.Is(err, commands.ErrSessionInvalid) || !strings.Contains(err.Error(), why) {
		t.Errorf("Find: %v; want ErrSessionInvalid saying %q", err, why)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := auth.NewStore(db)
		alice, bob := uuid.New(), uuid.New()

		_, sess := newSession(t, s, alice, t0, 8*time.Hour)
		got, err := s.Find(ctx, sess.TokenHash, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := sess
		want.CreatedAt, want.ExpiresAt = t0.Truncate(time.Microsecond), t0.Add(8*time.Hour).Truncate(time.Microsecond)
		if !bytes.Equal(got.TokenHash, want.TokenHash) || got.AccountID != want.AccountID ||
			!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
			t.Errorf("Find = %+v; want %+v", got, want)
		}

		invalid(t, s, sess.TokenHash, t0.Add(8*time.Hour), "expired")
		invalid(t, s, commands.HashToken("at_not-a-real-token"), t0, "unknown")

		if err := s.Revoke(ctx, sess.TokenHash, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		invalid(t, s, sess.TokenHash, t0.Add(2*time.Hour), "revoked")
		if err := s.Revoke(ctx, sess.TokenHash, t0.Add(3*time.Hour)); err != nil {
			t.Errorf("second Revoke: %v; want nil", err)
		}
		invalid(t, s, sess.TokenHash, t0.Add(3*time.Hour), "revoked at "+t0.Add(2*time.Hour).Format(time.RFC3339))
		if err := s.Revoke(ctx, commands.HashToken("at_unknown"), t0); !errors.Is(err, commands.ErrSessionInvalid) {
			t.Errorf("Revoke of an unknown token: %v; want ErrSessionInvalid", err)
		}

		// RevokeAccount ends alice's live sessions only.
		_, live1 := newSession(t, s, alice, t0, 8*time.Hour)
		_, live2 := newSession(t, s, alice, t0.Add(time.Hour), 8*time.Hour)
		_, expired := newSession(t, s, alice, t0, time.Hour)
		_, bobs := newSession(t, s, bob, t0, 8*time.Hour)
		n, err := s.RevokeAccount(ctx, alice, t0.Add(4*time.Hour))
		if err != nil || n != 2 {
			t.Errorf("RevokeAccount = %d, %v; want 2 (the revoked and the expired one not counted)", n, err)
		}
		invalid(t, s, live1.TokenHash, t0.Add(4*time.Hour), "revoked")
		invalid(t, s, live2.TokenHash, t0.Add(4*time.Hour), "revoked")
		invalid(t, s, expired.TokenHash, t0.Add(4*time.Hour), "expired")
		if _, err := s.Find(ctx, bobs.TokenHash, t0.Add(4*time.Hour)); err != nil {
			t.Errorf("bob's session after alice's were revoked: %v", err)
		}
		if n, err := s.RevokeAccount(ctx, uuid.New(), t0); err != nil || n != 0 {
			t.Errorf("RevokeAccount of an account without sessions = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestSessionsCreateRefusesBadSessions(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := auth.NewStore(db)
		ok := commands.Session{TokenHash: commands.HashToken("at_x"), AccountID: uuid.New(), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		for name, mutate := range map[string]func(*commands.Session){
			"token itself, not its hash": func(s *commands.Session) { s.TokenHash = []byte("at_x") },
			"no hash":                    func(s *commands.Session) { s.TokenHash = nil },
			"no account":                 func(s *commands.Session) { s.AccountID = uuid.Nil },
			"expires at creation":        func(s *commands.Session) { s.ExpiresAt = s.CreatedAt },
		} {
			bad := ok
			mutate(&bad)
			if err := s.Create(t.Context(), bad); err == nil {
				t.Errorf("%s: Create accepted", name)
			}
		}
		if err := s.Create(t.Context(), ok); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(t.Context(), ok); err == nil {
			t.Error("Create of a second session with one token hash accepted")
		}
	})
}

// TestSessionsStoreOnlyTheHash reads every column of every row back and
// looks for the token, in any form.
func TestSessionsStoreOnlyTheHash(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := auth.NewStore(db)
		token, sess := newSession(t, s, uuid.New(), t0, time.Hour)
		if err := s.Revoke(t.Context(), sess.TokenHash, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, commands.TokenPrefix))
		if err != nil {
			t.Fatal(err)
		}
		secrets := [][]byte{[]byte(token), []byte(strings.TrimPrefix(token, commands.TokenPrefix)), raw}

		rows, err := db.Query(t.Context(), "SELECT * FROM sessions")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var cell []byte
				switch v := v.(type) {
				case []byte:
					cell = v
				default:
					cell = fmt.Append(nil, v)
				}
				if cols[i] == "token_hash" {
					if want := sha256.Sum256([]byte(token)); !bytes.Equal(cell, want[:]) {
						t.Errorf("token_hash = %x; want SHA-256 of the token", cell)
					}
				}
				for _, secret := range secrets {
					if bytes.Contains(cell, secret) {
						t.Errorf("column %s holds the token", cols[i])
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d rows; want 1", n)
		}
	})
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		token, hash, err := commands.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, "at_") || len(token) != 3+43 {
			t.Fatalf("token of %d chars with prefix %q; want at_ and 43 base64url chars", len(token), token[:3])
		}
		if _, err := base64.RawURLEncoding.DecodeString(token[3:]); err != nil {
			t.Fatalf("token body is not unpadded base64url: %v", err)
		}
		want := sha256.Sum256([]byte(token))
		if !bytes.Equal(hash, want[:]) || !bytes.Equal(commands.HashToken(token), want[:]) {
			t.Fatal("hash is not the SHA-256 of the token string")
		}
		if seen[token] {
			t.Fatal("NewToken repeated a token")
		}
		seen[token] = true
	}
}
