package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"aidtrail/adapters/seal"
	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/budget"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
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
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	// Field names the input at fault (a JSON member such as "roles[1]" or
	// "family[0].birth_date", a path parameter, a header) when one is known.
	Field    string `json:"field,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Errors lists every refused row of a refused file (a bank results
	// file), row 0 being the file itself.
	Errors []rowErrorJSON `json:"errors,omitempty"`

	// retryAfter, when positive, is sent as Retry-After (seconds).
	retryAfter int
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
// matches with errors.Is and errors.As, so wrapping never changes the
// answer. logIt says whether the caller should log err (at level): client
// errors need no log line, failures on our side get exactly one.
//
// The order matters where one error matches several cases: a history that
// cannot be replayed is ours even when its cause is a broken domain rule;
// a refused login is unauthenticated before anything else.
func problemFor(err error) (p Problem, logIt bool, level slog.Level) {
	var (
		locked      *commands.LockedError
		forbidden   *commands.ForbiddenError
		segregation *casework.SegregationError
		overCap     *catalogue.CapError
	)
	switch {
	case errors.Is(err, errNoRoute):
		return newProblem(codeNotFound, noRouteDetail), false, 0
	case errors.Is(err, errMethodNotAllowed):
		return newProblem(codeMethodNotAllowed, "This resource does not accept this method; see the Allow header."), false, 0
	case errors.Is(err, errTooLarge), errors.Is(err, query.ErrTooLarge):
		return newProblem(codeTooLarge, err.Error()), false, 0
	case errors.Is(err, errKeyReused):
		return newProblem(codeIdempotencyMismatch, err.Error()), false, 0
	case errors.Is(err, errKeyInFlight):
		return newProblem(codeConflict, err.Error()), false, 0
	case errors.Is(err, errBadRequest):
		return withField(newProblem(codeValidation, err.Error()), err), false, 0
	case isRefusedFile(err):
		// The file is well-formed but rows of it are refused: 422, every
		// refused row listed.
		p := newProblem(codeValidation, err.Error())
		p.Status = http.StatusUnprocessableEntity
		p.Errors, _ = rowsOf(err)
		return p, false, 0

	case errors.Is(err, fault.ErrHistory):
		// Stored events that do not replay: corruption or a bug, never the client's.
		return internalProblem(), true, slog.LevelError

	case errors.As(err, &locked):
		p := newProblem(codeUnauthenticated, "Too many failed sign-ins for this login; try again after "+
			locked.Until.UTC().Format(time.RFC3339)+".")
		p.retryAfter = secondsUntil(locked.Until)
		return p, false, 0
	case errors.Is(err, commands.ErrUnauthenticated):
		// Unknown, expired and revoked tokens, wrong passwords and unknown
		// logins all read alike: the difference would help only a guesser.
		return newProblem(codeUnauthenticated, "Valid credentials are required: a live bearer token, or a correct login and password."), false, 0
	case errors.As(err, &forbidden):
		return newProblem(codeForbidden, "No position of yours grants "+forbidden.Permission+" on this unit."), false, 0
	case errors.Is(err, access.ErrForbidden):
		return newProblem(codeForbidden, "No position of yours grants this here."), false, 0

	case errors.Is(err, errNoAuditLog):
		return newProblem(codeUnavailable, "The audit log is not kept here: the service runs without a signing key (README: audit log)."), true, slog.LevelWarn
	case errors.Is(err, seal.ErrNotSealed):
		return newProblem(codeNotFound, "Not covered by a signed tree head yet: "+err.Error()+"."), false, 0
	case errors.Is(err, seal.ErrNoHead):
		return newProblem(codeNotFound, "No tree head has been signed yet."), false, 0
	case errors.Is(err, commands.ErrNoDocumentStore):
		return newProblem(codeUnavailable, "Documents cannot be stored now; try again later."), true, slog.LevelWarn
	case errors.As(err, &segregation):
		return newProblem(codeSegregationOfDuties, "You may not decide step \""+segregation.Step+"\" of this case ("+segregation.Rule+
			"): whoever filed it, the applicant and the decider of another of its steps may not."), false, 0
	case errors.Is(err, casework.ErrSegregation):
		return newProblem(codeSegregationOfDuties, err.Error()), false, 0
	case errors.Is(err, casework.ErrNotAssignee):
		return newProblem(codeForbidden, err.Error()), false, 0
	case errors.Is(err, casework.ErrAlreadyPaid):
		return newProblem(codeAlreadyPaid, err.Error()), false, 0
	case errors.Is(err, budget.ErrExceeded):
		return newProblem(codeBudgetExceeded, err.Error()), false, 0
	case errors.As(err, &overCap):
		p := newProblem(codeValidation, err.Error())
		p.Field = "requested_fen"
		return p, false, 0
	case errors.Is(err, catalogue.ErrNotEligible):
		p := newProblem(codeValidation, err.Error())
		switch {
		case errors.Is(err, catalogue.ErrMissingDocuments):
			p.Field = "documents"
		case errors.Is(err, catalogue.ErrBeneficiaryNotCovered):
			p.Field = "beneficiary"
		case errors.Is(err, catalogue.ErrTimesExhausted):
			p.Field = "standard_code"
		}
		return p, false, 0
	case errors.Is(err, catalogue.ErrVersionNotFound):
		return newProblem(codeNotFound, err.Error()), false, 0
	case errors.Is(err, casework.ErrInconsistent):
		return newProblem(codeConflict, err.Error()), false, 0
	case errors.Is(err, payment.ErrOverpay):
		return newProblem(codeInvalidState, err.Error()), false, 0

	case errors.Is(err, fault.ErrInvalid), errors.Is(err, event.ErrInvalid):
		return withField(newProblem(codeValidation, err.Error()), err), false, 0
	case errors.Is(err, event.ErrNotFound), errors.Is(err, access.ErrPositionNotFound):
		return newProblem(codeNotFound, err.Error()), false, 0
	case errors.Is(err, fault.ErrInvalidState):
		return newProblem(codeInvalidState, err.Error()), false, 0
	case errors.Is(err, event.ErrConcurrency), errors.Is(err, event.ErrDuplicateEvent):
		// The store's words (streams, versions, ids) are not the client's.
		return newProblem(codeConflict, "What this request acts on changed while it was being decided; read it again and retry."), false, 0
	case errors.Is(err, fault.ErrConflict), errors.Is(err, org.ErrInconsistent):
		return newProblem(codeConflict, err.Error()), false, 0

	case errors.Is(err, query.ErrLagging):
		return newProblem(codeLagging, "The read models have not reached min_position yet; try again shortly."), false, 0
	case errors.Is(err, errNotReady):
		return newProblem(codeUnavailable, "The event store is not answering; try again shortly."), true, slog.LevelWarn
	case errors.Is(err, context.DeadlineExceeded):
		return newProblem(codeUnavailable, "The request took too long; try again shortly."), true, slog.LevelWarn
	case errors.Is(err, context.Canceled):
		// The client went away; nobody reads the answer.
		return newProblem(codeUnavailable, "The request was cancelled."), false, 0
	default:
		return internalProblem(), true, slog.LevelError
	}
}

func internalProblem() Problem {
	return newProblem(codeInternal, "Something went wrong on our side; it has been logged.")
}

// withField sets p.Field from the validation error in err that names the
// input at fault, if there is one.
func withField(p Problem, err error) Problem {
	var (
		request *fieldError
		domain  *fault.ValidationError
	)
	switch {
	case errors.As(err, &request):
		p.Field = request.Field
	case errors.As(err, &domain):
		p.Field = domain.Field
	}
	return p
}

// secondsUntil is the whole seconds from now to t, rounded up, at least 1:
// a Retry-After that never invites a retry before the lock ends.
func secondsUntil(t time.Time) int {
	s := math.Ceil(time.Until(t).Seconds())
	return int(max(s, 1))
}

// writeError answers r with the problem for err and logs err once, here,
// when it is not the client's doing.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, logIt, level := problemFor(err)
	p.Instance = r.URL.Path
	if logIt {
		a.log.Log(r.Context(), level, "request failed",
			"method", r.Method, "path", r.URL.Path, "status", p.Status, "code", p.Code,
			"correlation_id", correlationID(r.Context()), "err", err)
	}
	writeProblem(w, p)
}

func writeProblem(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", "application/problem+json")
	setSecurityHeaders(h) // also where a problem is written outside the routes
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Bearer")
	}
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
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
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
