package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"aidtrail/domain/event"
)

// Stable problem codes (API.md). Clients branch on these, never on titles or
// details, so a code is never renamed or reused for another meaning.
const (
	codeValidation          = "validation"
	codeUnauthenticated     = "unauthenticated"
	codeForbidden           = "forbidden"
	codeNotFound            = "not_found"
	codeMethodNotAllowed    = "method_not_allowed"
	codeConflict            = "conflict"
	codeInvalidState        = "invalid_state"
	codeBudgetExceeded      = "budget_exceeded"
	codeSegregationOfDuties = "segregation_of_duties"
	codeAlreadyPaid         = "already_paid"
	codeIdempotencyMismatch = "idempotency_mismatch"
	codeTooLarge            = "too_large"
	codeLagging             = "lagging"
	codeUnavailable         = "unavailable"
	codeInternal            = "internal"
)

// problemKind is what every problem with one code shares.
type problemKind struct {
	status int
	title  string
}

// problemKinds lists every code the API can answer with; the OpenAPI
// document's Problem schema enumerates the same set (a test checks it).
var problemKinds = map[string]problemKind{
	codeValidation:          {http.StatusBadRequest, "The request is invalid"},
	codeUnauthenticated:     {http.StatusUnauthorized, "Authentication is required"},
	codeForbidden:           {http.StatusForbidden, "Not allowed"},
	codeNotFound:            {http.StatusNotFound, "Not found"},
	codeMethodNotAllowed:    {http.StatusMethodNotAllowed, "Method not allowed"},
	codeConflict:            {http.StatusConflict, "Conflict"},
	codeInvalidState:        {http.StatusConflict, "Not possible in the current state"},
	codeBudgetExceeded:      {http.StatusConflict, "Budget exceeded"},
	codeSegregationOfDuties: {http.StatusForbidden, "Segregation of duties"},
	codeAlreadyPaid:         {http.StatusConflict, "Already paid"},
	codeIdempotencyMismatch: {http.StatusUnprocessableEntity, "Idempotency key reused with a different request"},
	codeTooLarge:            {http.StatusRequestEntityTooLarge, "Request too large"},
	codeLagging:             {http.StatusServiceUnavailable, "Read models are behind"},
	codeUnavailable:         {http.StatusServiceUnavailable, "Service unavailable"},
	codeInternal:            {http.StatusInternalServerError, "Internal error"},
}

// Problem is an RFC 9457 problem details object with aidtrail's stable code.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Code     string `json:"code"`
	Instance string `json:"instance,omitempty"`
}

// noRouteDetail tells a path the route table lacks from a resource that
// does not exist.
const noRouteDetail = "No resource at this path."

// problemTypePrefix makes each code a URI, as RFC 9457 asks of "type".
const problemTypePrefix = "urn:aidtrail:problem:"

func newProblem(code, detail string) Problem {
	k, ok := problemKinds[code]
	if !ok {
		code, k = codeInternal, problemKinds[codeInternal]
	}
	return Problem{Type: problemTypePrefix + code, Title: k.title, Status: k.status, Detail: detail, Code: code}
}

// Errors raised by the HTTP layer itself; they go through problemFor like
// any other error.
var (
	errNoRoute          = errors.New("no such resource")
	errMethodNotAllowed = errors.New("method not allowed on this resource")
	errNotReady         = errors.New("the event store is not answering")
)

// problemFor is the one place where an error becomes an HTTP answer. It
// matches with errors.Is, so wrapping never changes the answer. logLevel is
// the level at which the caller should log err, or 0 when a client error
// needs no log line.
func problemFor(err error) (p Problem, logIt bool, level slog.Level) {
	switch {
	case errors.Is(err, errNoRoute):
		return newProblem(codeNotFound, noRouteDetail), false, 0
	case errors.Is(err, errMethodNotAllowed):
		return newProblem(codeMethodNotAllowed, "This resource does not accept this method; see the Allow header."), false, 0
	case errors.Is(err, errBadRequest):
		return newProblem(codeValidation, err.Error()), false, 0
	case errors.Is(err, errTooLarge):
		return newProblem(codeTooLarge, err.Error()), false, 0
	case errors.Is(err, event.ErrNotFound):
		return newProblem(codeNotFound, err.Error()), false, 0
	case errors.Is(err, event.ErrConcurrency), errors.Is(err, event.ErrDuplicateEvent):
		return newProblem(codeConflict, err.Error()), false, 0
	case errors.Is(err, event.ErrInvalid):
		return newProblem(codeValidation, err.Error()), false, 0
	case errors.Is(err, errNotReady):
		return newProblem(codeUnavailable, "The event store is not answering; try again shortly."), true, slog.LevelWarn
	case errors.Is(err, context.DeadlineExceeded):
		return newProblem(codeUnavailable, "The request took too long; try again shortly."), true, slog.LevelWarn
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		return newProblem(codeUnavailable, "The request was cancelled."), false, 0
	default:
		return newProblem(codeInternal, "Something went wrong on our side; it has been logged."), true, slog.LevelError
	}
}

// writeError answers r with the problem for err and logs err once, here,
// when it is not the client's doing.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, logIt, level := problemFor(err)
	p.Instance = r.URL.Path
	if logIt {
		a.log.Log(r.Context(), level, "request failed",
			"method", r.Method, "path", r.URL.Path, "status", p.Status, "code", p.Code, "err", err)
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p) // the status is sent; a failed body write has no one to tell
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, newProblem(codeInternal, "The response could not be encoded."))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
