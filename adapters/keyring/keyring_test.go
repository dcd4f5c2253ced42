package keyring

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// Personal fields as they occur in an application (fictitious).
var fields = []string{
	"张建国",
	"110101198003071234",
	"13800138000",
	"6222 0210 0112 3456 789",
	"多发性骨髓瘤",
	"妻子确诊多发性骨髓瘤，化疗费用约四万元，家庭收入不足以负担。",
	"",
	strings.Repeat("长文本", 2000),
}

func newKeyring(t testing.TB, db *sqldb.DB) *Keyring {
	t.Helper()
	master, err := NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	return newKeyringWith(t, db, master)
}

func newKeyringWith(t testing.TB, db *sqldb.DB, master []byte) *Keyring {
	t.Helper()
	kr, err := New(db, master)
	if err != nil {
		t.Fatal(err)
	}
	masters.Store(kr, bytes.Clone(master))
	return kr
}

func keyRows(t *testing.T, db *sqldb.DB, subject uuid.UUID) int {
	t.Helper()
	var n int
	if err := db.QueryRow(t.Context(), "SELECT count(*) FROM personal_keys WHERE subject_id = $1", subject).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wrappedKey(t *testing.T, db *sqldb.DB, subject uuid.UUID) []byte {
	t.Helper()
	var w []byte
	if err := db.QueryRow(t.Context(), "SELECT wrapped_key FROM personal_keys WHERE subject_id = $1", subject).Scan(&w); err != nil {
		t.Fatal(err)
	}
	return w
}

func seal(t *testing.T, kr *Keyring, subject uuid.UUID, plain string) string {
	t.Helper()
	s, err := kr.Seal(t.Context(), subject, plain)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return s
}

// wantOpen checks that kr opens sealed, subject's value, as plain.
func wantOpen(t *testing.T, kr *Keyring, subject uuid.UUID, sealed, plain string) {
	t.Helper()
	if got, err := kr.Open(t.Context(), subject, sealed); err != nil || got != plain {
		t.Fatalf("Open = %.20q…, %v; want %.20q…", got, err, plain)
	}
}

func wantOpenErr(t *testing.T, kr *Keyring, subject uuid.UUID, sealed string, want error) {
	t.Helper()
	got, err := kr.Open(t.Context(), subject, sealed)
	if !errors.Is(err, want) {
		t.Fatalf("Open = %q, %v; want %v", got, err, want)
	}
	if got != "" {
		t.Fatalf("Open returned text %q with error %v", got, err)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		kr := newKeyring(t, db)
		subject := uuid.New()
		for _, plain := range fields {
			sealed := seal(t, kr, subject, plain)
			if !strings.HasPrefix(sealed, "pii1.") {
				t.Errorf("sealed value %.20q… lacks the pii1. prefix", sealed)
			}
			for _, r := range sealed {
				if r > '~' || r < '!' {
					t.Fatalf("sealed value has non-ASCII or blank %q", r)
				}
			}
			if plain != "" && strings.Contains(sealed, plain) {
				t.Fatalf("sealed value contains its plaintext")
			}
			if again := seal(t, kr, subject, plain); again == sealed {
				t.Errorf("two seals of one value are equal; the nonce must be fresh")
			}
			wantOpen(t, kr, subject, sealed, plain)
			// Another Keyring with the same master key: another process.
			wantOpen(t, newKeyringWith(t, db, masterOf(t, kr)), subject, sealed, plain)
		}
		if n := keyRows(t, db, subject); n != 1 {
			t.Fatalf("%d key rows for one subject, want 1", n)
		}
		if w := wrappedKey(t, db, subject); len(w) != wrappedLen || w[0] != wrapVersion {
			t.Fatalf("wrapped key is %d bytes, version %d", len(w), w[0])
		}
		if l := len(seal(t, kr, subject, "01234567890123456789")); l != 85 {
			t.Errorf("a 20-byte field seals to %d characters, want 85", l)
		}
	})
}

// masters remembers the master key each test keyring was built with, so a
// test can build a second keyring (a second process) on the same key.
var masters sync.Map

func masterOf(t testing.TB, kr *Keyring) []byte {
	t.Helper()
	m, ok := masters.Load(kr)
	if !ok {
		t.Fatal("keyring built without a recorded master key")
	}
	return m.([]byte)
}

func TestOpenAsAnotherSubject(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		kr := newKeyring(t, db)
		alice, bob, carol := uuid.New(), uuid.New(), uuid.New()
		sealed := seal(t, kr, alice, "张建国")
		seal(t, kr, bob, "李卫东") // bob has a key of his own
		wantOpenErr(t, kr, bob, sealed, commands.ErrSealedForOther)
		wantOpenErr(t, kr, carol, sealed, commands.ErrSealedForOther) // carol has none
		if n := keyRows(t, db, carol); n != 0 {
			t.Fatalf("Open created a key")
		}

		// A value re-labelled as bob's (subject tag replaced) still does
		// not open: the subject and key id are authenticated.
		raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "pii1."))
		tag := subjectTag(bob)
		copy(raw, tag[:])
		forged := "pii1." + base64.RawURLEncoding.EncodeToString(raw)
		if got, err := kr.Open(t.Context(), bob, forged); err == nil || got != "" {
			t.Fatalf("re-labelled value opened for bob: %q, %v", got, err)
		}
	})
}

func TestTamperedValues(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		kr := newKeyring(t, db)
		subject := uuid.New()
		sealed := seal(t, kr, subject, "6222021001123456789")
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(sealed, "pii1."))
		if err != nil {
			t.Fatal(err)
		}
		for i := range raw {
			bad := bytes.Clone(raw)
			bad[i] ^= 0x01
			v := "pii1." + base64.RawURLEncoding.EncodeToString(bad)
			got, err := kr.Open(t.Context(), subject, v)
			if err == nil || got != "" {
				t.Fatalf("byte %d flipped: Open = %q, %v", i, got, err)
			}
			var want error
			switch {
			case i < tagLen:
				want = commands.ErrSealedForOther
			case i < headerLen:
				want = commands.ErrErased // a key id that is not the subject's key
			default:
				want = commands.ErrSealCorrupt
			}
			if !errors.Is(err, want) {
				t.Fatalf("byte %d flipped: %v, want %v", i, err, want)
			}
		}
		for _, v := range []string{
			"", "pii1.", "pii1", "6222021001123456789", "pii2." + sealed[5:], "PII1." + sealed[5:],
			sealed[:len(sealed)-1], sealed[:20], sealed + "A", sealed + "=", "pii1.!!!!", "pii1." + strings.Repeat("A", 52),
		} {
			wantOpenErr(t, kr, subject, v, commands.ErrSealCorrupt)
		}
	})
}

func TestErase(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		kr := newKeyring(t, db)
		subject, other := uuid.New(), uuid.New()
		old := seal(t, kr, subject, "张建国")
		kept := seal(t, kr, other, "李卫东")
		oldKey := wrappedKey(t, db, subject)

		if err := kr.Erase(t.Context(), subject); err != nil {
			t.Fatal(err)
		}
		wantOpenErr(t, kr, subject, old, commands.ErrErased) // at once, despite the cache
		if n := keyRows(t, db, subject); n != 0 {
			t.Fatalf("%d key rows after Erase", n)
		}
		for range 2 {
			if err := kr.Erase(t.Context(), subject); err != nil {
				t.Fatalf("second Erase: %v", err)
			}
		}
		if err := kr.Erase(t.Context(), uuid.New()); err != nil {
			t.Fatalf("Erase of a subject without a key: %v", err)
		}
		wantOpen(t, kr, other, kept, "李卫东") // another subject's value

		// A new Seal makes a new key; the old values stay erased.
		fresh := seal(t, kr, subject, "张建国")
		if bytes.Equal(wrappedKey(t, db, subject), oldKey) {
			t.Fatal("Seal after Erase restored the old key")
		}
		wantOpen(t, kr, subject, fresh, "张建国")
		wantOpenErr(t, kr, subject, old, commands.ErrErased)
		wantOpenErr(t, newKeyringWith(t, db, masterOf(t, kr)), subject, old, commands.ErrErased)
	})
}

// TestEraseByAnotherProcess checks the cache's bound: a key erased through
// another Keyring stops working here within the TTL, and a key created by
// another Keyring after an erase is found although an older one is cached.
func TestEraseByAnotherProcess(t *testing.T) {
	t.Parallel()
	if CacheTTL > time.Second {
		t.Fatalf("CacheTTL = %v; an erased key must not be served for more than a second", CacheTTL)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		here := newKeyring(t, db)
		there := newKeyringWith(t, db, masterOf(t, here))
		subject := uuid.New()
		old := seal(t, here, subject, "13800138000") // cached here

		if err := there.Erase(t.Context(), subject); err != nil {
			t.Fatal(err)
		}
		renewed := seal(t, there, subject, "13900139000")
		wantOpen(t, here, subject, renewed, "13900139000") // under a key created elsewhere
		// The re-read replaced the stale cached key: the old value is
		// erased here too, at once.
		wantOpenErr(t, here, subject, old, commands.ErrErased)

		// Without a new key, the stale key lasts at most the TTL.
		here.ttl = 50 * time.Millisecond
		second := uuid.New()
		v := seal(t, here, second, "张建国")
		if err := there.Erase(t.Context(), second); err != nil {
			t.Fatal(err)
		}
		time.Sleep(here.ttl + 20*time.Millisecond)
		wantOpenErr(t, here, second, v, commands.ErrErased)
	})
}

func TestConcurrentFirstSeal(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		first := newKeyring(t, db)
		var rings []*Keyring // five processes, ten goroutines each
		for range 5 {
			rings = append(rings, newKeyringWith(t, db, masterOf(t, first)))
		}
		subject := uuid.New()
		const n = 50
		sealed := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				sealed[i], errs[i] = rings[i%len(rings)].Seal(t.Context(), subject, "张建国")
			})
		}
		close(start)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if rows := keyRows(t, db, subject); rows != 1 {
			t.Fatalf("%d key rows after %d concurrent first seals, want 1", rows, n)
		}
		reader := newKeyringWith(t, db, masterOf(t, first))
		for _, v := range sealed {
			wantOpen(t, reader, subject, v, "张建国")
		}
	})
}

func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		right := newKeyring(t, db)
		wrong := newKeyring(t, db)
		subject := uuid.New()
		sealed := seal(t, right, subject, "110101198003071234")

		_, err := wrong.Open(t.Context(), subject, sealed)
		if !errors.Is(err, ErrWrongMasterKey) || errors.Is(err, commands.ErrErased) {
			t.Fatalf("Open under the wrong master key: %v, want ErrWrongMasterKey", err)
		}
		if _, err := wrong.Seal(t.Context(), subject, "x"); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("Seal under the wrong master key: %v, want ErrWrongMasterKey", err)
		}
		if rows := keyRows(t, db, subject); rows != 1 {
			t.Fatalf("%d key rows; the wrong master key must not add one", rows)
		}

		// A key row copied to another subject does not unwrap either.
		moved := uuid.New()
		if _, err := db.Exec(t.Context(), "INSERT INTO personal_keys (subject_id, wrapped_key) VALUES ($1, $2)",
			moved, wrappedKey(t, db, subject)); err != nil {
			t.Fatal(err)
		}
		if _, err := right.Seal(t.Context(), moved, "x"); !errors.Is(err, ErrWrongMasterKey) {
			t.Fatalf("Seal with a moved key row: %v, want ErrWrongMasterKey", err)
		}
	})
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	db := &sqldb.DB{}
	for _, m := range [][]byte{nil, make([]byte, 16), make([]byte, 33)} {
		if _, err := New(db, m); err == nil {
			t.Errorf("New accepted a %d-byte master key", len(m))
		}
	}
	if _, err := New(nil, make([]byte, 32)); err == nil {
		t.Error("New accepted a nil database")
	}
}
