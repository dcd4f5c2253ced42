// Package documents stores the files of applications by their SHA-256, in
// the service's own database (PostgreSQL or embedded, one SQL code path).
package documents

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"aidtrail/commands"
	"aidtrail/internal/sqldb"
)

// Store implements commands.DocumentStore. Safe for concurrent use.
type Store struct{ db *sqldb.DB }

// New returns a Store on db, whose migrations created the documents table.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Put stores content under its hash. The hash is checked, so a row's key
// always is its content's SHA-256; storing the same content again is a
// no-op.
func (s *Store) Put(ctx context.Context, sha256Hex string, content []byte, contentType string) error {
	sum := sha256.Sum256(content)
	if hex.EncodeToString(sum[:]) != sha256Hex {
		return fmt.Errorf("store document: content does not hash to %s", sha256Hex)
	}
	_, err := s.db.Exec(ctx, `INSERT INTO documents (sha256, content_type, size, content, stored_ms)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`,
		sha256Hex, contentType, int64(len(content)), content, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("store document: %w", err)
	}
	return nil
}

// Get returns a stored document; an unknown hash is commands.ErrNotFound.
func (s *Store) Get(ctx context.Context, sha256Hex string) ([]byte, string, error) {
	var content []byte
	var contentType string
	err := s.db.QueryRow(ctx, `SELECT content, content_type FROM documents WHERE sha256 = $1`, sha256Hex).Scan(&content, &contentType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("document %s: %w", sha256Hex, commands.ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read document: %w", err)
	}
	return content, contentType, nil
}
