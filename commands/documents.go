package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// Limits of an uploaded document: photos of paperwork and PDFs.
const MaxDocumentSize = 10 << 20

// DocumentTypes are the content types accepted, judged from the bytes
// themselves, never from what the client claims.
var DocumentTypes = []string{"image/jpeg", "image/png", "application/pdf"}

// AddDocument attaches a file of a kind the case's standard names.
type AddDocument struct {
	CaseID  uuid.UUID
	Kind    string
	Content []byte
}

// AddDocument attaches a file to a case: the employee's own account, or
// cases.file at the case's unit. The file is checked and stored first;
// the case records its kind, hash, size and type.
func (a *App) AddDocument(ctx context.Context, actor Actor, cmd AddDocument) (casework.Document, Written, error) {
	caseID, kind, content := cmd.CaseID, cmd.Kind, cmd.Content
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
	pos, err := a.attempt(ctx, actor, "AddDocument", nil, func(w *uow.Work) (event.Metadata, error) {
		c, _, meta, err := a.caseToFile(ctx, w, actor, caseID, 0)
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
		w.Add(c.Stream(), c.Changes()...)
		return meta, nil
	})
	return doc, Written{pos}, err
}
