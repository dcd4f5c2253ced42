package keyring

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
)

// ErrMasterKeyRotated: the database's master key was rotated while this
// process ran with the old one; it stores no new key under the old key.
// Restart it with the new master key.
var ErrMasterKeyRotated = errors.New("keyring: the master key was rotated; restart with the new master key")

// checkText is what the master key's check value seals: opening it proves
// the master key is the one the personal keys are wrapped under.
var checkText = []byte("aidtrail master key check")

// checkAAD binds the check value to its purpose, so that no wrapped key
// passes for it.
var checkAAD = []byte("aidtrail master key check v1")

// Verify checks, before the service starts, that the master key given to
// New is the one this database's personal keys are wrapped under, so that
// a wrong key refuses the start instead of failing every read of personal
// data. It reads the check value (master_key_check); a database without
// one gets one, after one of the keys it already holds, if any, is shown
// to unwrap (all are wrapped under one master key: Rotate re-wraps them
// all). A master key that does not fit is ErrWrongMasterKey, and nothing
// is written.
func (k *Keyring) Verify(ctx context.Context) error {
	sealed, err := readCheck(ctx, k.db)
	if errors.Is(err, sql.ErrNoRows) {
		if err := k.storeCheck(ctx); err != nil {
			return err
		}
		sealed, err = readCheck(ctx, k.db) // ours, or a process's that started at once
	}
	if err != nil {
		return err
	}
	if _, err := openWith(k.master, sealed, checkAAD); err != nil {
		return ErrWrongMasterKey
	}
	return nil
}

// storeCheck stores the check value under this master key, unless
// another is stored meanwhile, once a stored key, if any, unwraps.
func (k *Keyring) storeCheck(ctx context.Context) error {
	if err := k.unwrapAny(ctx); err != nil {
		return err
	}
	value, err := sealWith(k.master, checkText, checkAAD)
	if err != nil {
		return err
	}
	if _, err := k.db.Exec(ctx, "INSERT INTO master_key_check (id, sealed) VALUES (1, $1) ON CONFLICT DO NOTHING", value); err != nil {
		return fmt.Errorf("keyring: store the master key's check value: %w", err)
	}
	return nil
}

// unwrapAny unwraps one stored key, if there is any.
func (k *Keyring) unwrapAny(ctx context.Context) error {
	var subject uuid.UUID
	var wrapped []byte
	err := k.db.QueryRow(ctx, "SELECT subject_id, wrapped_key FROM personal_keys LIMIT 1").Scan(&subject, &wrapped)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("keyring: read a key: %w", err)
	}
	_, err = k.unwrap(subject, wrapped)
	return err
}

// Rotate re-wraps every personal key, and the check value, under next in
// one transaction, and returns how many keys it re-wrapped. A key another
// process stores meanwhile waits for the rotation, then is wrapped under
// the master key that process holds: run it with the service stopped.
// Afterwards only next opens this
// database's personal data — not this Keyring, nor any process still
// holding the old key: open a new one with next. The keys themselves, and
// so every value sealed under them, do not change. Copies of the rows
// wrapped under the old master key (backups, WAL, dead tuples) stay
// readable with the old key: retire it.
func (k *Keyring) Rotate(ctx context.Context, next []byte) (int, error) {
	if len(next) != MasterKeyLen {
		return 0, fmt.Errorf("keyring: the new master key is %d bytes, want %d", len(next), MasterKeyLen)
	}
	nextAEAD, err := newGCM(next)
	if err != nil {
		return 0, err
	}
	if err := k.Verify(ctx); err != nil {
		return 0, err
	}
	rotated := 0
	err = k.db.InTx(ctx, func(tx *sqldb.Tx) error {
		// No key may be stored, under the old master key, between the read
		// below and the commit. SQLite's write transaction excludes every
		// other writer already; PostgreSQL's needs the table locked.
		if tx.Engine().Dialect() == sqldb.Postgres {
			if _, err := tx.Exec(ctx, "LOCK TABLE personal_keys IN EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, "SELECT subject_id, wrapped_key FROM personal_keys ORDER BY subject_id")
		if err != nil {
			return err
		}
		type row struct {
			subject uuid.UUID
			wrapped []byte
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.subject, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range all {
			aad := wrapAAD(wrapVersion, r.subject)
			plain, err := openWith(k.master, r.wrapped, aad)
			if err != nil {
				return fmt.Errorf("key of %s: %w", r.subject, ErrWrongMasterKey)
			}
			rewrapped, err := sealWith(nextAEAD, plain, aad)
			clear(plain)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE personal_keys SET wrapped_key = $1 WHERE subject_id = $2", rewrapped, r.subject); err != nil {
				return err
			}
			rotated++
		}
		value, err := sealWith(nextAEAD, checkText, checkAAD)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "UPDATE master_key_check SET sealed = $1 WHERE id = 1", value)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("keyring: rotate the master key: %w", err)
	}
	return rotated, nil
}

func readCheck(ctx context.Context, db *sqldb.DB) ([]byte, error) {
	var sealed []byte
	err := db.QueryRow(ctx, "SELECT sealed FROM master_key_check WHERE id = 1").Scan(&sealed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("keyring: read the master key's check value: %w", err)
	}
	return sealed, err
}

// sealWith is version | nonce | AES-256-GCM(aead, plain, aad) | tag: the form
// of a wrapped key (see the package comment).
func sealWith(aead cipher.AEAD, plain, aad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceLen, 1+nonceLen+len(plain)+gcmTagLen)
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("keyring: nonce: %w", err)
	}
	return aead.Seal(out, out[1:1+nonceLen], plain, aad), nil
}

// openWith reverses sealWith.
func openWith(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceLen+gcmTagLen || sealed[0] != wrapVersion {
		return nil, errors.New("keyring: unknown sealed format")
	}
	return aead.Open(nil, sealed[1:1+nonceLen], sealed[1+nonceLen:], aad)
}
