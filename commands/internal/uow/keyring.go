package uow

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Keyring seals personal data under a key per data subject (an employee,
// identified by uuid). Personal fields (ID number, phone, bank account,
// names of the employee and family, diagnoses, free-text descriptions) go
// into events only as sealed values; the keys live outside the event log.
// Erasing a subject deletes their key: their events stay, so money totals
// and history hold, but their personal fields read back as erased.
//
// All methods are safe for concurrent use. Errors never carry plaintext or
// key material.
type Keyring interface {
	// Seal encrypts plaintext under subject's key, creating the key on
	// first use. The result is an opaque ASCII string safe to put in an
	// event payload; it is bound to subject, so it opens only for subject.
	// Two concurrent first Seals for one subject end with one key.
	Seal(ctx context.Context, subject uuid.UUID, plaintext string) (string, error)

	// Open decrypts a value sealed for subject. It never creates a key.
	// A value whose key has been erased is ErrErased, also when subject
	// has been given a new key since; a value sealed for another subject
	// is ErrSealedForOther; a value that is malformed or has been altered
	// is ErrSealCorrupt.
	Open(ctx context.Context, subject uuid.UUID, sealed string) (string, error)

	// Erase deletes subject's key for good: every value sealed for subject
	// so far is ErrErased from then on. It is idempotent. A later Seal for
	// subject creates a new key, which does not open the old values.
	Erase(ctx context.Context, subject uuid.UUID) error
}

var (
	// ErrErased means the key a value was sealed under no longer exists:
	// the subject's personal data has been erased. Readers show the field
	// as erased; it is not a failure of the read.
	ErrErased = errors.New("personal data erased")

	// ErrSealedForOther means a value sealed for one subject was opened
	// as another's: a value copied between people, or a caller passing
	// the wrong subject.
	ErrSealedForOther = errors.New("sealed value belongs to another subject")

	// ErrSealCorrupt means a value is not a sealed value of a known format
	// or fails authentication: truncated, altered, or not produced by a
	// keyring.
	ErrSealCorrupt = errors.New("sealed value is malformed or altered")
)
