// Package keyring implements commands.Keyring with envelope encryption on
// the personal_keys table, through the one SQL code path (sqldb) on
// PostgreSQL and on SQLite.
//
// Each subject (an employee) gets a random 256-bit data key. Its row holds
// the data key wrapped under the master key, which lives outside the
// database (an environment variable or a file, see master.go). Erasing a
// subject deletes the row; with it goes the only way to open the values
// sealed for them, wherever those values were copied.
//
// # Formats
//
// A sealed value is the ASCII string
//
//	"pii1." + base64url-no-padding(subjectTag[4] | keyID[8] | nonce[12] | ciphertext | tag[16])
//
// sealed with AES-256-GCM under the data key. subjectTag is the first 4
// bytes of SHA-256("aidtrail pii1 subject" | subject): it tells a value
// sealed for another subject apart from an erased one without a key.
// keyID is the first 8 bytes of HMAC-SHA256(data key, "aidtrail pii1 key
// id"): it tells a value sealed under an erased (and since replaced) key
// apart from an altered one. The additional data is "pii1" | subject[16] |
// keyID, so neither a value moved to another subject nor a changed header
// opens. n bytes of plaintext seal to 5 + ceil(4(40+n)/3) characters (85
// for a 20-byte field).
//
// A wrapped key (personal_keys.wrapped_key) is the 61 bytes
//
//	version[1]=0x01 | nonce[12] | AES-256-GCM(master, data key[32]) | tag[16]
//
// with additional data "aidtrail key" | version | subject[16], so a row
// copied to another subject does not unwrap.
//
// # Erasure
//
// Erase deletes the row; on SQLite it does so with secure_delete on, so the
// freed page space is zeroed in the database file. Copies of the row can
// outlive it elsewhere (PostgreSQL dead tuples and WAL, the SQLite WAL
// until it is overwritten, backups, replicas); each is the data key wrapped
// under the master key, so erasure is final once the master key that
// wrapped them is retired. Rotating the master key (re-wrapping the live
// rows under a new one) is not implemented yet.
package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
)

// CacheTTL is how long a Keyring serves an unwrapped key from memory
// before reading its row again. It bounds how long a key erased by another
// process can still seal or open values in this one (a value sealed in
// that window reads back as erased); an Erase through this Keyring takes
// effect in it at once.
const CacheTTL = time.Second

// ErrWrongMasterKey means a stored key does not unwrap under the master
// key given to New: the wrong master key, or a damaged or moved key row.
var ErrWrongMasterKey = errors.New("keyring: stored key does not unwrap under this master key (wrong master key or damaged key row)")

const (
	sealPrefix  = "pii1."
	tagLen      = 4
	keyIDLen    = 8
	nonceLen    = 12
	gcmTagLen   = 16
	headerLen   = tagLen + keyIDLen
	minSealed   = headerLen + nonceLen + gcmTagLen
	dataKeyLen  = 32
	wrapVersion = 1
	wrappedLen  = 1 + nonceLen + dataKeyLen + gcmTagLen
	maxCached   = 10_000
)

// Keyring seals personal data under per-subject keys stored in the
// personal_keys table. It is safe for concurrent use; several processes
// may share one database (see CacheTTL).
type Keyring struct {
	db     *sqldb.DB
	master cipher.AEAD
	ttl    time.Duration // 0 turns the cache off

	mu    sync.Mutex
	keys  map[uuid.UUID]cachedKey
	epoch uint64 // bumped by every Erase; a load begun before it is not cached
}

type cachedKey struct {
	key   *dataKey
	until time.Time
}

// dataKey is an unwrapped data key, ready to use.
type dataKey struct {
	aead cipher.AEAD
	id   [keyIDLen]byte
}

var _ commands.Keyring = (*Keyring)(nil)

// New returns a Keyring over db, whose schema must include the
// personal_keys migration, with master as the 32-byte master key. The
// caller may clear master once New returns.
func New(db *sqldb.DB, master []byte) (*Keyring, error) {
	if db == nil {
		return nil, errors.New("keyring: nil database")
	}
	if len(master) != MasterKeyLen {
		return nil, fmt.Errorf("keyring: master key is %d bytes, want %d", len(master), MasterKeyLen)
	}
	aead, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	return &Keyring{db: db, master: aead, ttl: CacheTTL, keys: map[uuid.UUID]cachedKey{}}, nil
}

// Seal implements commands.Keyring.
func (k *Keyring) Seal(ctx context.Context, subject uuid.UUID, plaintext string) (string, error) {
	key, err := k.key(ctx, subject, true, false)
	if err != nil {
		return "", fmt.Errorf("keyring: seal: %w", err)
	}
	buf := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(plaintext)+gcmTagLen)
	st := subjectTag(subject)
	copy(buf, st[:])
	copy(buf[tagLen:], key.id[:])
	if _, err := rand.Read(buf[headerLen:]); err != nil {
		return "", fmt.Errorf("keyring: seal: nonce: %w", err)
	}
	nonce := buf[headerLen : headerLen+nonceLen]
	buf = key.aead.Seal(buf, nonce, []byte(plaintext), sealAAD(subject, key.id))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open implements commands.Keyring.
func (k *Keyring) Open(ctx context.Context, subject uuid.UUID, sealed string) (string, error) {
	body, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", fmt.Errorf("keyring: open: not a pii1 value: %w", commands.ErrSealCorrupt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < minSealed {
		return "", fmt.Errorf("keyring: open: undecodable value: %w", commands.ErrSealCorrupt)
	}
	if st := subjectTag(subject); !hmac.Equal(raw[:tagLen], st[:]) {
		return "", fmt.Errorf("keyring: open: %w", commands.ErrSealedForOther)
	}
	var id [keyIDLen]byte
	copy(id[:], raw[tagLen:headerLen])
	key, err := k.key(ctx, subject, false, false)
	if err == nil && key.id != id {
		// The cached key may predate an erase and re-creation by another
		// process; ask the database before calling the value erased.
		key, err = k.key(ctx, subject, false, true)
	}
	if err != nil {
		return "", fmt.Errorf("keyring: open: %w", err)
	}
	if key.id != id {
		return "", fmt.Errorf("keyring: open: sealed under an erased key: %w", commands.ErrErased)
	}
	nonce := raw[headerLen : headerLen+nonceLen]
	plain, err := key.aead.Open(nil, nonce, raw[headerLen+nonceLen:], sealAAD(subject, id))
	if err != nil {
		return "", fmt.Errorf("keyring: open: authentication failed: %w", commands.ErrSealCorrupt)
	}
	return string(plain), nil
}

// Erase implements commands.Keyring. When it returns nil the key is gone
// from the database and from this Keyring's memory; other Keyrings on the
// same database stop using it within CacheTTL.
func (k *Keyring) Erase(ctx context.Context, subject uuid.UUID) error {
	var err error
	if k.db.Dialect() == sqldb.SQLite {
		err = k.db.InTx(ctx, func(tx *sqldb.Tx) error { return secureDelete(ctx, tx, subject) })
	} else {
		_, err = k.db.Exec(ctx, "DELETE FROM personal_keys WHERE subject_id = $1", subject)
	}
	if err != nil {
		return fmt.Errorf("keyring: erase: %w", err)
	}
	k.mu.Lock()
	delete(k.keys, subject)
	k.epoch++
	k.mu.Unlock()
	return nil
}

// secureDelete deletes subject's row on SQLite with secure_delete on for
// this statement (the pragma belongs to the connection, which the
// transaction pins), so the row's bytes are overwritten with zeros in the
// page rather than left in free space. The connection's previous setting
// is restored afterwards.
func secureDelete(ctx context.Context, tx *sqldb.Tx, subject uuid.UUID) error {
	var prev int
	if err := tx.QueryRow(ctx, "PRAGMA secure_delete").Scan(&prev); err != nil {
		return fmt.Errorf("read secure_delete: %w", err)
	}
	if _, err := tx.Exec(ctx, "PRAGMA secure_delete = 1"); err != nil {
		return fmt.Errorf("set secure_delete: %w", err)
	}
	_, err := tx.Exec(ctx, "DELETE FROM personal_keys WHERE subject_id = $1", subject)
	_, rerr := tx.Exec(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA secure_delete = %d", prev))
	return errors.Join(err, rerr)
}

// key returns subject's data key: from the cache unless fresh, else from
// the database. With create, a subject without a key gets one; without,
// that is commands.ErrErased.
func (k *Keyring) key(ctx context.Context, subject uuid.UUID, create, fresh bool) (*dataKey, error) {
	k.mu.Lock()
	c, hit := k.keys[subject]
	epoch := k.epoch
	k.mu.Unlock()
	if hit && !fresh && time.Now().Before(c.until) {
		return c.key, nil
	}

	wrapped, err := k.readWrapped(ctx, subject)
	if errors.Is(err, sql.ErrNoRows) && create {
		if err := k.insertNew(ctx, subject); err != nil {
			return nil, err
		}
		// Read back whichever key won: ours, or a concurrent Seal's.
		wrapped, err = k.readWrapped(ctx, subject)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("no key: %w", commands.ErrErased)
	}
	if err != nil {
		return nil, err
	}
	key, err := k.unwrap(subject, wrapped)
	if err != nil {
		return nil, err
	}

	if k.ttl > 0 {
		k.mu.Lock()
		if k.epoch == epoch { // no Erase ran while we read the row
			if len(k.keys) >= maxCached {
				k.evictLocked()
			}
			k.keys[subject] = cachedKey{key: key, until: time.Now().Add(k.ttl)}
		}
		k.mu.Unlock()
	}
	return key, nil
}

// evictLocked makes room in the cache: expired entries first, everything
// if none has expired. k.mu must be held.
func (k *Keyring) evictLocked() {
	now := time.Now()
	for s, c := range k.keys {
		if !now.Before(c.until) {
			delete(k.keys, s)
		}
	}
	if len(k.keys) >= maxCached {
		clear(k.keys)
	}
}

func (k *Keyring) readWrapped(ctx context.Context, subject uuid.UUID) ([]byte, error) {
	var wrapped []byte
	err := k.db.QueryRow(ctx, "SELECT wrapped_key FROM personal_keys WHERE subject_id = $1", subject).Scan(&wrapped)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read key: %w", err)
	}
	return wrapped, err
}

// insertNew stores a fresh key for subject unless one exists already.
func (k *Keyring) insertNew(ctx context.Context, subject uuid.UUID) error {
	var plain [dataKeyLen]byte
	if _, err := rand.Read(plain[:]); err != nil {
		return fmt.Errorf("new key: %w", err)
	}
	wrapped, err := sealWith(k.master, plain[:], wrapAAD(wrapVersion, subject))
	if err != nil {
		return err
	}
	clear(plain[:])
	err = k.db.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := k.stillMaster(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO personal_keys (subject_id, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING", subject, wrapped)
		return err
	})
	if err != nil {
		return fmt.Errorf("store key: %w", err)
	}
	return nil
}

// stillMaster refuses, with ErrMasterKeyRotated, to store a key in tx
// once the database's master key is no longer this keyring's: a process
// still running with the old key after rotate-master-key would otherwise
// wrap new people's keys under a key the database has left. On
// PostgreSQL it first queues behind a rotation under way (which holds
// personal_keys exclusively), so the check value it reads is the one the
// rotation leaves; SQLite's write transaction excludes the rotation
// already. A database without a check value yet (before the first Verify)
// takes the key.
func (k *Keyring) stillMaster(ctx context.Context, tx *sqldb.Tx) error {
	if tx.Dialect() == sqldb.Postgres {
		if _, err := tx.Exec(ctx, "LOCK TABLE personal_keys IN ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
	}
	var check []byte
	err := tx.QueryRow(ctx, "SELECT sealed FROM master_key_check WHERE id = 1").Scan(&check)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	if _, err := openWith(k.master, check, checkAAD); err != nil {
		return ErrMasterKeyRotated
	}
	return nil
}

func (k *Keyring) unwrap(subject uuid.UUID, wrapped []byte) (*dataKey, error) {
	if len(wrapped) != wrappedLen || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("unknown wrapped key format: %w", ErrWrongMasterKey)
	}
	plain, err := openWith(k.master, wrapped, wrapAAD(wrapped[0], subject))
	if err != nil {
		return nil, ErrWrongMasterKey
	}
	defer clear(plain)
	aead, err := newGCM(plain)
	if err != nil {
		return nil, err
	}
	key := &dataKey{aead: aead}
	mac := hmac.New(sha256.New, plain)
	mac.Write([]byte("aidtrail pii1 key id"))
	copy(key.id[:], mac.Sum(nil))
	return key, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return aead, nil
}

func subjectTag(subject uuid.UUID) (tag [tagLen]byte) {
	sum := sha256.Sum256(append([]byte("aidtrail pii1 subject"), subject[:]...))
	copy(tag[:], sum[:])
	return tag
}

func sealAAD(subject uuid.UUID, id [keyIDLen]byte) []byte {
	aad := make([]byte, 0, 4+len(subject)+keyIDLen)
	aad = append(aad, "pii1"...)
	aad = append(aad, subject[:]...)
	return append(aad, id[:]...)
}

func wrapAAD(version byte, subject uuid.UUID) []byte {
	aad := make([]byte, 0, 13+len(subject))
	aad = append(aad, "aidtrail key"...)
	aad = append(aad, version)
	return append(aad, subject[:]...)
}
