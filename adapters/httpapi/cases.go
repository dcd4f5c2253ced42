package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/casework"
)

// Cases (F6–F8): an application for aid, opened by the employee or by a
// caseworker on their behalf, documented, submitted, decided step by step
// by the flow's named approvers, or withdrawn before approval.

type beneficiaryJSON struct {
	Relation string `json:"relation"`
	Name     string `json:"name"`
}

type openCaseRequest struct {
	EmployeeID   string          `json:"employee_id"`
	Beneficiary  beneficiaryJSON `json:"beneficiary"`
	StandardCode string          `json:"standard_code"`
	Causes       []string        `json:"causes"`
	ExpenseFen   int64           `json:"expense_fen"`
	RequestedFen int64           `json:"requested_fen"`
	Description  string          `json:"description"`
	DiscoveryID  *string         `json:"discovery_id"` // the discovery item the case answers
}

type openedCaseResponse struct {
	ID       string          `json:"id"`
	Status   casework.Status `json:"status"`
	Position int64           `json:"position"`
}

// openCase: POST /v1/cases opens a draft.
func (a *api) openCase(w http.ResponseWriter, r *http.Request) error {
	var req openCaseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	employee, err := parseID("employee_id", req.EmployeeID)
	if err != nil {
		return err
	}
	discovery, err := optionalID("discovery_id", req.DiscoveryID)
	if err != nil {
		return err
	}
	cmd := commands.OpenCase{
		EmployeeID: employee, Beneficiary: casework.Relation(req.Beneficiary.Relation), BeneficiaryName: req.Beneficiary.Name,
		StandardCode: req.StandardCode, Causes: req.Causes, ExpenseFen: req.ExpenseFen, RequestedFen: req.RequestedFen,
		Description: req.Description,
	}
	if discovery != nil {
		cmd.DiscoveryID = *discovery
	}
	id, written, err := a.deps.App.OpenCase(r.Context(), callerOf(r).actor, cmd)
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/cases/"+id.String(), openedCaseResponse{ID: id.String(), Status: casework.StatusDraft, Position: written.Position})
	return nil
}

// maxUpload bounds a whole document upload: the file's limit plus room for
// the form's other parts and framing.
const maxUpload = commands.MaxDocumentSize + 64<<10

// maxKindLen bounds the kind part of an upload form.
const maxKindLen = 256

type documentResponse struct {
	SHA256      string `json:"sha256"`
	Kind        string `json:"kind"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	Position    int64  `json:"position"`
}

// addDocument: POST /v1/cases/{id}/documents, a multipart/form-data form
// with the parts kind and file. The file's type is judged from its bytes.
func (a *api) addDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	kind, content, err := readUpload(w, r)
	if err != nil {
		return err
	}
	doc, written, err := a.deps.App.AddDocument(r.Context(), callerOf(r).actor, commands.AddDocument{CaseID: id, Kind: kind, Content: content})
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/cases/"+id.String()+"/documents/"+doc.SHA256, documentResponse{
		SHA256: doc.SHA256, Kind: doc.Kind, Size: doc.Size, ContentType: doc.ContentType, Position: written.Position})
	return nil
}

// readUpload reads the kind and file parts of a document form, each once;
// other parts are refused.
func readUpload(w http.ResponseWriter, r *http.Request) (kind string, content []byte, err error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return "", nil, fmt.Errorf("%w: Content-Type must be multipart/form-data with the parts kind and file", errBadRequest)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	var haveKind, haveFile bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, uploadError(err)
		}
		switch name := part.FormName(); {
		case name == "kind" && !haveKind:
			b, err := io.ReadAll(io.LimitReader(part, maxKindLen+1))
			if err != nil {
				return "", nil, uploadError(err)
			}
			if len(b) > maxKindLen {
				return "", nil, &fieldError{Field: "kind", Reason: fmt.Sprintf("must be at most %d bytes", maxKindLen)}
			}
			if p := textProblem(string(b), false); p != "" {
				return "", nil, &fieldError{Field: "kind", Reason: p}
			}
			kind, haveKind = string(b), true
		case name == "file" && !haveFile:
			content, err = io.ReadAll(io.LimitReader(part, commands.MaxDocumentSize+1))
			if err != nil {
				return "", nil, uploadError(err)
			}
			if len(content) > commands.MaxDocumentSize {
				return "", nil, fmt.Errorf("%w: a document is at most %d bytes", errTooLarge, commands.MaxDocumentSize)
			}
			haveFile = true
		default:
			return "", nil, &fieldError{Field: name, Reason: "is not a part of this form, or is sent twice"}
		}
	}
	switch {
	case !haveKind:
		return "", nil, &fieldError{Field: "kind", Reason: "is required"}
	case !haveFile:
		return "", nil, &fieldError{Field: "file", Reason: "is required"}
	}
	return kind, content, nil
}

func uploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("%w: at most %d bytes", errTooLarge, tooLarge.Limit)
	}
	return fmt.Errorf("%w: the multipart form cannot be read: %v", errBadRequest, err)
}

// submitCase: POST /v1/cases/{id}/submit answers with the case as it now
// stands, its steps fixed. If-Match takes the case's ETag.
func (a *api) submitCase(w http.ResponseWriter, r *http.Request) error {
	c, err := readChange[struct{}](w, r, bodyOptional)
	if err != nil {
		return err
	}
	actor := callerOf(r).actor
	written, err := a.deps.App.SubmitCase(r.Context(), actor, commands.SubmitCase{CaseID: c.ID, IfMatch: c.IfMatch})
	if err != nil {
		return err
	}
	v, err := a.deps.Query.GetCase(r.Context(), actor, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, submittedResponse{caseResponse: caseFrom(v), Position: written.Position})
	return nil
}

type submittedResponse struct {
	caseResponse
	Position int64 `json:"position"`
}

type decideCaseRequest struct {
	Step      string `json:"step"`
	Decision  string `json:"decision"`
	AmountFen int64  `json:"amount_fen"`
	Reason    string `json:"reason"`
}

// decideCase: POST /v1/cases/{id}/decisions, the decision of the step
// waiting on the caller. If-Match takes the case's ETag.
func (a *api) decideCase(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[decideCaseRequest]) (commands.Written, error) {
		return a.deps.App.DecideCase(ctx, actor, commands.DecideCase{
			CaseID: c.ID, Step: c.Body.Step, Decision: casework.DecisionKind(c.Body.Decision), AmountFen: c.Body.AmountFen,
			Reason: c.Body.Reason, IfMatch: c.IfMatch,
		})
	})
}

type withdrawCaseRequest struct {
	Reason string `json:"reason"`
}

// withdrawCase: POST /v1/cases/{id}/withdraw, before approval. If-Match
// takes the case's ETag.
func (a *api) withdrawCase(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyOptional, func(ctx context.Context, actor commands.Actor, c change[withdrawCaseRequest]) (commands.Written, error) {
		return a.deps.App.WithdrawCase(ctx, actor, commands.WithdrawCase{CaseID: c.ID, Reason: c.Body.Reason, IfMatch: c.IfMatch})
	})
}

type standardRefJSON struct {
	Code    string `json:"code"`
	Version int    `json:"version"`
}

type stepResponse struct {
	Name              string  `json:"name"`
	AssigneeAccountID string  `json:"assignee_account_id"`
	Decision          *string `json:"decision"`
	DecidedBy         *string `json:"decided_by"`
	DecidedAt         *string `json:"decided_at"`
	AmountFen         *int64  `json:"amount_fen"`
	Reason            *string `json:"reason"`
}

type caseDocumentResponse struct {
	SHA256      string `json:"sha256"`
	Kind        string `json:"kind"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

type caseResponse struct {
	ID           string                 `json:"id"`
	Status       casework.Status        `json:"status"`
	EmployeeID   string                 `json:"employee_id"`
	UnitID       string                 `json:"unit_id"`
	Standard     standardRefJSON        `json:"standard"`
	RequestedFen int64                  `json:"requested_fen"`
	ApprovedFen  int64                  `json:"approved_fen"`
	PaidFen      int64                  `json:"paid_fen"`
	Steps        []stepResponse         `json:"steps"`
	Documents    []caseDocumentResponse `json:"documents"`
	Missing      []string               `json:"missing_documents"`
	DiscoveryID  *string                `json:"discovery_id,omitempty"` // the discovery item it was opened from
	Version      int64                  `json:"version"`
}

// getCase: GET /v1/cases/{id}[?as_of=], to the applicant's own account and
// to staff who file, decide, pay or audit at its unit; with as_of, as it
// stood then.
func (a *api) getCase(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, a.deps.Query.GetCaseAsOf, func(v query.CaseView) (int64, any) { return v.Version, caseFrom(v) })
}

// caseFrom renders a case; a step not yet decided has null decision,
// decided_by, decided_at, amount_fen and reason; a decided one its reason
// (null when none was given) and, when approved, the amount it approved. The standard's version is 0 until submission
// fixes it.
func caseFrom(v query.CaseView) caseResponse {
	out := caseResponse{
		ID: v.ID.String(), Status: v.Status, EmployeeID: v.EmployeeID.String(), UnitID: v.UnitID.String(),
		Standard:     standardRefJSON{Code: v.StandardCode, Version: v.StandardVersion},
		RequestedFen: v.RequestedFen, ApprovedFen: v.ApprovedFen, PaidFen: v.PaidFen,
		Steps: make([]stepResponse, len(v.Steps)), Documents: make([]caseDocumentResponse, len(v.Documents)),
		Missing: v.MissingDocuments, Version: v.Version,
	}
	if v.DiscoveryID != nil {
		id := v.DiscoveryID.String()
		out.DiscoveryID = &id
	}
	for i, s := range v.Steps {
		step := stepResponse{Name: s.Name, AssigneeAccountID: s.Assignee.String()}
		if s.Decision != "" {
			decision, by, at := string(s.Decision), s.DecidedBy.String(), s.DecidedAt.UTC().Format(time.RFC3339)
			step.Decision, step.DecidedBy, step.DecidedAt = &decision, &by, &at
			if s.Decision == casework.Approve {
				step.AmountFen = &s.AmountFen
			}
			if s.Reason != "" {
				step.Reason = &s.Reason
			}
		}
		out.Steps[i] = step
	}
	for i, d := range v.Documents {
		out.Documents[i] = caseDocumentResponse{SHA256: d.SHA256, Kind: d.Kind, Size: d.Size, ContentType: d.ContentType}
	}
	return out
}

// getDocument: GET /v1/cases/{id}/documents/{sha256}, the file itself, to
// those who may read the case.
func (a *api) getDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sha := r.PathValue("sha256")
	if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
		return fmt.Errorf("%w: sha256 must be 64 lowercase hex digits", errBadRequest)
	}
	content, contentType, err := a.deps.Query.GetDocument(r.Context(), callerOf(r).actor, id, sha)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", `"`+sha+`"`)
	_, _ = w.Write(content)
	return nil
}
