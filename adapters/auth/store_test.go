package auth_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/auth"
	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// t0 has nanoseconds on purpose: the store keeps microseconds on both engines.
var t0 = time.Date(2026, 3, 1, 8, 30, 0, 123456789, time.UTC)

func TestCredentials(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := auth.NewStore(db)
		alice, bob := uuid.New(), uuid.New()

		if _, _, err := s.Lookup(ctx, "alice"); !errors.Is(err, commands.ErrUnknownLogin) {
			t.Fatalf("Lookup before SetPassword: %v; want ErrUnknownLogin", err)
		}
		if err := s.SetPassword(ctx, alice, "alice", "$argon2id$one"); err != nil {
			t.Fatal(err)
		}
		id, hash, err := s.Lookup(ctx, "alice")
		if err != nil || id != alice || hash != "$argon2id$one" {
			t.Fatalf("Lookup = %v, %q, %v; want %v, $argon2id$one", id, hash, err, alice)
		}
		if _, _, err := s.Lookup(ctx, "Alice"); !errors.Is(err, commands.ErrUnknownLogin) {
			t.Errorf("Lookup(Alice): %v; logins compare exactly, want ErrUnknownLogin", err)
		}

		// Replace: a new hash, then a new login; the old login is gone.
		if err := s.SetPassword(ctx, alice, "alice", "$argon2id$two"); err != nil {
			t.Fatal(err)
		}
		if _, hash, _ := s.Lookup(ctx, "alice"); hash != "$argon2id$two" {
			t.Errorf("hash after replace = %q, want $argon2id$two", hash)
		}
		if err := s.SetPassword(ctx, alice, "alice.w", "$argon2id$three"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Lookup(ctx, "alice"); !errors.Is(err, commands.ErrUnknownLogin) {
			t.Errorf("old login after rename: %v; want ErrUnknownLogin", err)
		}
		if id, _, err := s.Lookup(ctx, "alice.w"); err != nil || id != alice {
			t.Errorf("Lookup(alice.w) = %v, %v; want %v", id, err, alice)
		}

		// Taken: bob cannot have alice's login, and nothing of hers changes.
		err = s.SetPassword(ctx, bob, "alice.w", "$argon2id$bob")
		if !errors.Is(err, commands.ErrLoginTaken) {
			t.Fatalf("SetPassword with a taken login: %v; want ErrLoginTaken", err)
		}
		if id, hash, _ := s.Lookup(ctx, "alice.w"); id != alice || hash != "$argon2id$three" {
			t.Errorf("after the refused take: %v %q; want alice's", id, hash)
		}
		if err := s.SetPassword(ctx, bob, "bob", "$argon2id$bob"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, bob, "alice.w", "$argon2id$bob"); !errors.Is(err, commands.ErrLoginTaken) {
			t.Errorf("renaming onto a taken login: %v; want ErrLoginTaken", err)
		}

		if err := s.SetPassword(ctx, uuid.New(), "", "$argon2id$x"); err == nil {
			t.Error("SetPassword with an empty login accepted")
		}
	})
}

func TestCredentialsConcurrentClaimOfOneLogin(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := auth.NewStore(db)
		const n = 20
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { errs <- s.SetPassword(t.Context(), uuid.New(), "shared", "$argon2id$x") })
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, commands.ErrLoginTaken):
				t.Errorf("loser's error: %v; want ErrLoginTaken", err)
			}
		}
		if won != 1 {
			t.Errorf("%d accounts got the login; want 1", won)
		}
	})
}

// fail takes an attempt that fails and checks the lock TakeAttempt
// reports.
func fail(t *testing.T, s *auth.Store, login string, now, wantLock time.Time) {
	t.Helper()
	got, err := s.TakeAttempt(t.Context(), login, now)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LockedUntil.Equal(wantLock) {
		t.Fatalf("TakeAttempt at %s: locked until %v; want %v", now.Format(time.TimeOnly), got.LockedUntil, wantLock)
	}
}

// lock checks LoginLock.
func lock(t *testing.T, s *auth.Store, login string, now, wantLock time.Time, wantFailures int) {
	t.Helper()
	until, n, err := s.LoginLock(t.Context(), login, now)
	if err != nil {
		t.Fatal(err)
	}
	if !until.Equal(wantLock) || n != wantFailures {
		t.Fatalf("LoginLock at %s = %v, %d; want %v, %d", now.Format(time.TimeOnly), until, n, wantLock, wantFailures)
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	var never time.Time
	us := func(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := auth.NewStore(db) // 5 free failures, 15 min window, 15 min lock

		t.Run("locks after FreeFailures and the lock expires", func(t *testing.T) {
			lock(t, s, "a", t0, never, 0)
			for i := range 4 {
				fail(t, s, "a", t0.Add(time.Duration(i)*time.Minute), never)
			}
			lock(t, s, "a", t0.Add(4*time.Minute), never, 4)
			until := us(t0.Add(5*time.Minute + commands.DefaultLockFor))
			fail(t, s, "a", t0.Add(5*time.Minute), until)
			lock(t, s, "a", t0.Add(5*time.Minute), until, 5)
			// Failures while locked count but do not prolong the lock.
			fail(t, s, "a", t0.Add(6*time.Minute), until)
			lock(t, s, "a", until.Add(-time.Microsecond), until, 6)
			// Served: no lock, no recent failures, and the next failure starts afresh.
			lock(t, s, "a", until, never, 0)
			fail(t, s, "a", until.Add(time.Second), never)
			lock(t, s, "a", until.Add(time.Second), never, 1)
		})

		t.Run("failures outside the window reset the count", func(t *testing.T) {
			for i := range 4 {
				fail(t, s, "b", t0.Add(time.Duration(i)*time.Minute), never)
			}
			lock(t, s, "b", t0.Add(15*time.Minute-time.Microsecond), never, 4)
			lock(t, s, "b", t0.Add(15*time.Minute), never, 0)
			fail(t, s, "b", t0.Add(15*time.Minute), never) // would be the 5th in the window
			lock(t, s, "b", t0.Add(15*time.Minute), never, 1)
			for i := range 3 {
				fail(t, s, "b", t0.Add(16*time.Minute+time.Duration(i)*time.Second), never)
			}
			until := us(t0.Add(20*time.Minute + commands.DefaultLockFor))
			fail(t, s, "b", t0.Add(20*time.Minute), until)
		})

		t.Run("ClearFailures lifts the lock", func(t *testing.T) {
			for i := range 5 {
				fail(t, s, "c", t0.Add(time.Duration(i)*time.Second), lockIf(i == 4, us(t0.Add(4*time.Second+commands.DefaultLockFor))))
			}
			if err := s.ClearFailures(t.Context(), "c"); err != nil {
				t.Fatal(err)
			}
			lock(t, s, "c", t0.Add(5*time.Second), never, 0)
			fail(t, s, "c", t0.Add(6*time.Second), never)
			lock(t, s, "c", t0.Add(6*time.Second), never, 1)
			if err := s.ClearFailures(t.Context(), "never-failed"); err != nil {
				t.Errorf("ClearFailures of a clean login: %v", err)
			}
		})

		t.Run("logins are counted apart", func(t *testing.T) {
			fail(t, s, "d1", t0, never)
			lock(t, s, "d2", t0, never, 0)
		})

		t.Run("other policies", func(t *testing.T) {
			strict, err := auth.NewStoreWithPolicy(db, commands.LoginPolicy{FreeFailures: 1, Window: time.Hour, LockFor: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			fail(t, strict, "e", t0, us(t0.Add(time.Minute)))
			// LockFor shorter than Window: a served lock still starts afresh.
			fail(t, strict, "e", t0.Add(2*time.Minute), us(t0.Add(3*time.Minute)))
			lock(t, strict, "e", t0.Add(2*time.Minute), us(t0.Add(3*time.Minute)), 1)

			if _, err := auth.NewStoreWithPolicy(db, commands.LoginPolicy{FreeFailures: -1, Window: -time.Second}); err == nil {
				t.Error("NewStoreWithPolicy accepted a negative policy")
			}
		})
	})
}

func lockIf(cond bool, until time.Time) time.Time {
	if cond {
		return until
	}
	return time.Time{}
}

// A burst of attempts sent at once for one login, from two processes:
// each counts once, and no more than FreeFailures are admitted to a
// password check.
func TestThrottleConcurrentAttemptsAllCountAndFewAreAdmitted(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		// Two Stores, as two processes would be: on SQLite each queues its
		// own writes, so only the statement keeps the two apart.
		stores := []*auth.Store{auth.NewStore(db), auth.NewStore(db)}
		s := stores[0]
		const n = 100
		var wg sync.WaitGroup
		attempts := make(chan commands.Attempt, n)
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				a, err := stores[i%2].TakeAttempt(t.Context(), "target", t0.Add(time.Duration(i)*time.Millisecond))
				attempts <- a
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		close(attempts)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		admitted := 0
		for a := range attempts {
			if a.Admitted {
				admitted++
			} else if a.LockedUntil.IsZero() {
				t.Errorf("attempt %d refused without a lock", a.Failures)
			}
		}
		if admitted != commands.DefaultFreeFailures {
			t.Errorf("%d of %d concurrent attempts admitted; want %d", admitted, n, commands.DefaultFreeFailures)
		}
		until, failures, err := s.LoginLock(t.Context(), "target", t0.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if failures != n {
			t.Errorf("failures = %d after %d concurrent attempts; want %d", failures, n, n)
		}
		if until.IsZero() {
			t.Error("not locked after 100 failures")
		}
	})
}

func TestLoginPolicy(t *testing.T) {
	t.Parallel()
	p := commands.LoginPolicy{}.WithDefaults()
	if p.FreeFailures != 5 || p.Window != 15*time.Minute || p.LockFor != 15*time.Minute || p.Delay == nil {
		t.Errorf("defaults = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("Validate(defaults) = %v", err)
	}
	err := commands.LoginPolicy{FreeFailures: -1, Window: -1, LockFor: -1}.Validate()
	for _, want := range []string{"FreeFailures", "Window", "LockFor", "Delay"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate of a bad policy = %v; want it to name %s", err, want)
		}
	}
	ms := time.Millisecond
	for failures, want := range map[int]time.Duration{
		-1: 0, 0: 0, 1: 250 * ms, 2: 500 * ms, 3: time.Second, 4: 2 * time.Second,
		5: 4 * time.Second, 6: 4 * time.Second, 100: 4 * time.Second, 1 << 40: 4 * time.Second,
	} {
		if got := p.DelayAfter(failures); got != want {
			t.Errorf("DelayAfter(%d) = %s; want %s", failures, got, want)
		}
	}
}
