package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// DocumentStore keeps the files of applications outside the event log,
// addressed by their SHA-256: the event records the hash, the store the
// bytes. Storing the same content twice keeps one copy.
type DocumentStore interface {
	Put(ctx context.Context, sha256Hex string, content []byte, contentType string) error
	Get(ctx context.Context, sha256Hex string) (content []byte, contentType string, err error)
}

// Limits of an uploaded document: photos of paperwork and PDFs.
const MaxDocumentSize = 10 << 20

// DocumentTypes are the content types accepted, judged from the bytes
// themselves, never from what the client claims.
var DocumentTypes = []string{"image/jpeg", "image/png", "application/pdf"}

// ErrNoDocumentStore: the service runs without document storage.
var ErrNoDocumentStore = errors.New("document storage is not configured")

// AddDocument attaches a file to a case: the employee's own account, or
// cases.file at the case's unit. The file is checked and stored first;
// the case records its kind, hash, size and type.
func (a *App) AddDocument(ctx context.Context, actor Actor, caseID uuid.UUID, kind string, content []byte) (casework.Document, Written, error) {
	if a.documents == nil {
		return casework.Document{}, Written{}, ErrNoDocumentStore
	}
	if len(content) == 0 || len(content) > MaxDocumentSize {
		return casework.Document{}, Written{}, &fault.ValidationError{Field: "file", Reason: "must be 1 byte to 10 MiB"}
	}
	contentType := http.DetectContentType(content)
	if !slices.Contains(DocumentTypes, contentType) {
		return casework.Document{}, Written{}, &fault.ValidationError{Field: "file", Reason: "must be a JPEG or PNG photo or a PDF (found " + contentType + ")"}
	}
	sum := sha256.Sum256(content)
	doc := casework.Document{Kind: kind, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), ContentType: contentType}
	stored := false
	pos, err := a.attempt(ctx, actor, "AddDocument", nil, func(w *work) (event.Metadata, error) {
		c, unit, err := loadCaseAt(ctx, w, caseID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, _, err := a.authorizeSelfOr(ctx, w, actor, c.EmployeeID(), access.PermCasesFile, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := c.AddDocument(doc); err != nil {
			return event.Metadata{}, err
		}
		if !stored { // only for an authorised actor, once
			if err := a.documents.Put(ctx, doc.SHA256, content, contentType); err != nil {
				return event.Metadata{}, err
			}
			stored = true
		}
		w.add(c.Stream(), c.Changes()...)
		return meta, nil
	})
	return doc, Written{pos}, err
}
