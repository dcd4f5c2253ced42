package uow

import (
	"context"
	"errors"
)

// DocumentStore keeps the files of applications outside the event log,
// addressed by their SHA-256: the event records the hash, the store the
// bytes. Storing the same content twice keeps one copy.
type DocumentStore interface {
	Put(ctx context.Context, sha256Hex string, content []byte, contentType string) error
	Get(ctx context.Context, sha256Hex string) (content []byte, contentType string, err error)
}

// ErrNoDocumentStore: the service runs without document storage.
var ErrNoDocumentStore = errors.New("document storage is not configured")
