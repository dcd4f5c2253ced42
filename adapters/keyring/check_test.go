package keyring

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// Verify: the first master key a database sees is the one it accepts from
// then on; another is refused before any personal data is read, and its
// refusal writes nothing. A database that held keys before the check
// value existed accepts only the key they open under.
func TestVerifyRefusesAnotherMasterKey(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		first := newKeyring(t, db)
		subject := uuid.New()
		sealed, err := first.Seal(ctx, subject, "张建国")
		if err != nil {
			t.Fatal(err)
		}
		// Keys from before the check value: the first Verify decides by them.
		other := newKeyring(t, db)
		if err := other.Verify(ctx); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("another master key over keys wrapped under the first: %v, want ErrWrongMasterKey", err)
		}
		if n := checkRows(t, db); n != 0 {
			t.Fatalf("a refused Verify stored %d check values", n)
		}
		if err := first.Verify(ctx); err != nil {
			t.Fatalf("the right master key: %v", err)
		}
		if err := first.Verify(ctx); err != nil {
			t.Fatalf("the right master key, checked again: %v", err)
		}
		if err := other.Verify(ctx); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("another master key against the check value: %v, want ErrWrongMasterKey", err)
		}
		if got, err := first.Open(ctx, subject, sealed); err != nil || got != "张建国" {
			t.Fatalf("open after Verify: %q, %v", got, err)
		}
	})
}

// On an empty database the first Verify stores the check value; another
// key is refused from then on, though no person's key exists yet.
func TestVerifyOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := newKeyring(t, db).Verify(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := newKeyring(t, db).Verify(t.Context()); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("a second master key: %v, want ErrWrongMasterKey", err)
		}
	})
}

// Rotate re-wraps every key under the new master key: values sealed before
// open with it, the old key is refused from then on, and erasure still
// erases.
func TestRotateRewrapsEveryKey(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		old := newKeyring(t, db)
		subjects := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		sealed := map[uuid.UUID]string{}
		for _, s := range subjects {
			v, err := old.Seal(ctx, s, "6222 0210 0112 3456 789")
			if err != nil {
				t.Fatal(err)
			}
			sealed[s] = v
		}
		next, err := NewMasterKey()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newKeyring(t, db).Rotate(ctx, next); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("rotating with the wrong current key: %v, want ErrWrongMasterKey", err)
		}
		n, err := old.Rotate(ctx, next)
		if err != nil || n != len(subjects) {
			t.Fatalf("Rotate = %d, %v; want %d", n, err, len(subjects))
		}
		rotated := newKeyringWith(t, db, next)
		if err := rotated.Verify(ctx); err != nil {
			t.Fatalf("the new key after rotation: %v", err)
		}
		if err := newKeyringWith(t, db, masterOf(t, old)).Verify(ctx); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("the old key after rotation: %v, want ErrWrongMasterKey", err)
		}
		for _, s := range subjects {
			if got, err := rotated.Open(ctx, s, sealed[s]); err != nil || got != "6222 0210 0112 3456 789" {
				t.Fatalf("open %s under the new key: %q, %v", s, got, err)
			}
		}
		if err := rotated.Erase(ctx, subjects[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := rotated.Open(ctx, subjects[0], sealed[subjects[0]]); !errors.Is(err, commands.ErrErased) {
			t.Fatalf("open after erasure: %v, want ErrErased", err)
		}
	})
}

func checkRows(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(t.Context(), "SELECT count(*) FROM master_key_check").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A process still running with the old master key after a rotation (the
// service was not stopped) stores no key under it: a new person's first
// Seal is ErrMasterKeyRotated and leaves no row, while the new key seals
// as usual. Seals running while the rotation commits end either before it
// (their key is re-wrapped with the rest) or refused: every stored key
// opens under the new master key.
func TestOldMasterKeyStoresNothingAfterRotation(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		old := newKeyring(t, db)
		if err := old.Verify(ctx); err != nil {
			t.Fatal(err)
		}
		next, err := NewMasterKey()
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		racing := make([]uuid.UUID, 16)
		for i := range racing {
			racing[i] = uuid.New()
			wg.Go(func() {
				_, err := old.Seal(ctx, racing[i], "王秀英")
				// Refused before the rotation took the table, or stored
				// before it and re-wrapped, so the old key no longer
				// opens it: an error either way, never a key left under
				// the old master key.
				if err != nil && !errors.Is(err, ErrMasterKeyRotated) && !errors.Is(err, ErrWrongMasterKey) {
					t.Errorf("seal while rotating: %v", err)
				}
			})
		}
		if _, err := newKeyringWith(t, db, masterOf(t, old)).Rotate(ctx, next); err != nil {
			t.Fatal(err)
		}
		wg.Wait()

		late := uuid.New()
		if _, err := old.Seal(ctx, late, "王秀英"); !errors.Is(err, ErrMasterKeyRotated) {
			t.Fatalf("a new person's key under the old master key after rotation: %v, want ErrMasterKeyRotated", err)
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT count(*) FROM personal_keys WHERE subject_id = $1", late).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rows stored for the refused key: %d, %v", n, err)
		}
		rotated := newKeyringWith(t, db, next)
		if _, err := rotated.Seal(ctx, uuid.New(), "王秀英"); err != nil {
			t.Fatalf("seal under the new key: %v", err)
		}
		rows, err := db.Query(ctx, "SELECT subject_id, wrapped_key FROM personal_keys")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var subject uuid.UUID
			var wrapped []byte
			if err := rows.Scan(&subject, &wrapped); err != nil {
				t.Fatal(err)
			}
			if _, err := rotated.unwrap(subject, wrapped); err != nil {
				t.Errorf("the key of %s does not open under the new master key: %v", subject, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
