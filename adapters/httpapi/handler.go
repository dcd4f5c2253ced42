// Package httpapi is aidtrail's thin HTTP API: net/http's ServeMux with
// method patterns, JSON bodies, RFC 9457 problem details with the stable
// codes of the API contract, and the OpenAPI document that describes it.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/metrics"
	"aidtrail/commands"
	"aidtrail/commands/query"
)

// Store is the part of the event store the API uses so far.
type Store interface {
	// Head returns the highest global position readable now; readiness
	// uses it as "the store answers".
	Head(ctx context.Context) (int64, error)
}

// Deps are what the handler needs. Zero optional fields take the defaults
// of setDefaults.
type Deps struct {
	Store Store // required
	// App is the use cases the /v1 routes call; required.
	App    *commands.App
	Logger *slog.Logger // required
	// Replies keeps answers for retried commands (Idempotency-Key); nil
	// runs every request.
	Replies Replies
	// Query answers lists and statistics from the read models; required.
	Query *query.Service
	// ReadModels is how far the read models are (a *projections.Runner);
	// required. Reads with ?min_position wait on it, /readyz and /metrics
	// report it.
	ReadModels query.Progress
	// ReadyTimeout bounds how long /readyz waits for the store.
	ReadyTimeout time.Duration
	// MaxLag is how far behind (seconds since the oldest event not yet
	// applied was recorded) a projection may be before /readyz fails.
	MaxLag time.Duration
	// MinPositionWait bounds how long a read with ?min_position waits for
	// the read models before answering 503 lagging.
	MinPositionWait time.Duration
	// Audit is the tamper-evident log auditors verify; nil when the
	// service keeps none (no signing key): its routes answer 503.
	Audit AuditLog
	// Metrics is where requests are counted and /metrics is served from;
	// a fresh registry when nil. Give it to one New only: New adds the
	// store's and the read models' state to it.
	Metrics *metrics.Metrics
}

func (d *Deps) setDefaults() {
	if d.ReadyTimeout <= 0 {
		d.ReadyTimeout = 2 * time.Second
	}
	if d.MaxLag <= 0 {
		d.MaxLag = 30 * time.Second
	}
	if d.MinPositionWait <= 0 {
		d.MinPositionWait = 5 * time.Second
	}
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
}

// Validate reports every missing dependency at once.
func (d Deps) Validate() error {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("httpapi: Store is required"))
	}
	if d.App == nil {
		errs = append(errs, errors.New("httpapi: App is required"))
	}
	if d.Logger == nil {
		errs = append(errs, errors.New("httpapi: Logger is required"))
	}
	if d.Query == nil {
		errs = append(errs, errors.New("httpapi: Query is required"))
	}
	if d.ReadModels == nil {
		errs = append(errs, errors.New("httpapi: ReadModels is required"))
	}
	return errors.Join(errs...)
}

// Handlers are the two faces of the service. API answers the routes of
// the HTTP contract. Metrics answers GET /metrics in the Prometheus text
// format; it belongs on a listener of its own, on loopback unless an
// operator says otherwise, because what it counts (the store's head,
// requests per route) tells an outsider what others did — that a login
// exists, for one.
type Handlers struct {
	API, Metrics http.Handler
}

// New returns the API's handlers, which share their counters. They are
// safe for concurrent use.
func New(deps Deps) (Handlers, error) {
	deps.setDefaults()
	if err := deps.Validate(); err != nil {
		return Handlers{}, err
	}
	params, err := queryParameters(openAPIDocument)
	if err != nil {
		return Handlers{}, err
	}
	a := &api{deps: deps, log: deps.Logger, queryParams: params}
	deps.Metrics.Watch(deps.Store.Head, deps.ReadModels, deps.ReadyTimeout)
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		h := rt.handle
		if rt.access == authenticated && rt.method == http.MethodPost && rt.path != "/v1/logout" {
			h = a.idempotent(h)
		}
		if rt.access == authenticated {
			h = a.authenticate(h)
		}
		mux.Handle(rt.method+" "+rt.path, a.adapt(h))
	}
	scrape := http.NewServeMux()
	scrape.Handle("GET /metrics", deps.Metrics.Handler())
	return Handlers{API: a.wrap(mux), Metrics: a.wrapMetrics(scrape)}, nil
}

// NewHandler returns the API's handler alone (New's API).
func NewHandler(deps Deps) (http.Handler, error) {
	h, err := New(deps)
	return h.API, err
}

type api struct {
	deps        Deps
	log         *slog.Logger
	queryParams map[string]map[string]bool // by route pattern, from the OpenAPI document
}

// route is one entry of the route table. The OpenAPI test walks the same
// table, so a route cannot exist without being documented.
type route struct {
	method string
	path   string // a ServeMux path pattern, {name} for path parameters
	access routeAccess
	handle handlerFunc
}

// routeAccess says who may call a route. The zero value is the safe one.
type routeAccess int

const (
	// authenticated: a bearer token is required; the handler finds the
	// actor with callerOf.
	authenticated routeAccess = iota
	// public: anyone, no token looked at.
	public
)

// handlerFunc answers a request or returns an error, which writeError turns
// into a problem: handlers never write error responses themselves.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// routes is the whole route table: the core routes, those of care work
// (the hardship register, life events, discovery and condolence visits)
// and the analyses of history (what-if).
func (a *api) routes() []route {
	return slices.Concat(a.coreRoutes(), a.careRoutes(), a.visitRoutes(), a.analysisRoutes())
}

// coreRoutes are health, identity, organisation, catalogue, budgets, cases,
// payments, statistics and audit.
func (a *api) coreRoutes() []route {
	const get, post, put = http.MethodGet, http.MethodPost, http.MethodPut
	return []route{
		{get, "/healthz", public, a.healthz},
		{get, "/readyz", public, a.readyz},
		{get, "/openapi.json", public, a.openAPI},

		{post, "/v1/login", public, a.login},
		{post, "/v1/logout", authenticated, a.logout},
		{get, "/v1/me", authenticated, a.getMe},
		{post, "/v1/accounts", authenticated, a.openAccount},
		{post, "/v1/accounts/{id}/positions", authenticated, a.assignPosition},
		{post, "/v1/accounts/{id}/positions/{position_id}/vacate", authenticated, a.vacatePosition},

		{post, "/v1/units", authenticated, a.establishUnit},
		{get, "/v1/units/{id}", authenticated, a.getUnit},
		{post, "/v1/units/{id}/rename", authenticated, a.renameUnit},
		{post, "/v1/units/{id}/move", authenticated, a.moveUnit},
		{post, "/v1/units/{id}/close", authenticated, a.closeUnit},

		{post, "/v1/employees", authenticated, a.registerEmployee},
		{get, "/v1/employees/{id}", authenticated, a.getEmployee},
		{post, "/v1/employees/{id}/erase", authenticated, a.eraseEmployee},

		{post, "/v1/standards", authenticated, a.publishStandard},
		{get, "/v1/standards", authenticated, a.listStandards},
		{get, "/v1/standards/{code}", authenticated, a.getStandard},
		{put, "/v1/standards/{code}", authenticated, a.reviseStandard},
		{put, "/v1/units/{id}/flows/{category}", authenticated, a.configureFlow},
		{get, "/v1/units/{id}/flows/{category}", authenticated, a.getFlow},

		{get, "/v1/budgets", authenticated, a.listBudgets},
		{post, "/v1/budgets", authenticated, a.allocateBudget},
		{get, "/v1/budgets/{id}", authenticated, a.getBudget},
		{post, "/v1/budgets/{id}/increase", authenticated, a.increaseBudget},

		{get, "/v1/cases", authenticated, a.listCases},
		{post, "/v1/cases", authenticated, a.openCase},
		{get, "/v1/cases/{id}", authenticated, a.getCase},
		{get, "/v1/inbox", authenticated, a.inbox},
		{get, "/v1/cases/{id}/documents/{sha256}", authenticated, a.getDocument},
		{post, "/v1/cases/{id}/documents", authenticated, a.addDocument},
		{post, "/v1/cases/{id}/submit", authenticated, a.submitCase},
		{post, "/v1/cases/{id}/decisions", authenticated, a.decideCase},
		{post, "/v1/cases/{id}/withdraw", authenticated, a.withdrawCase},
		{post, "/v1/cases/{id}/payments", authenticated, a.instructPayment},
		{get, "/v1/payments/{id}", authenticated, a.getPayment},
		{post, "/v1/payments/{id}/confirm", authenticated, a.confirmPayment},
		{post, "/v1/payments/{id}/fail", authenticated, a.failPayment},
		{post, "/v1/payments/reconcile", authenticated, a.reconcilePayments},
		{get, "/v1/payments/export", authenticated, a.exportPayments},

		{get, "/v1/stats", authenticated, a.getStats},
		{get, "/v1/cases/{id}/trail", authenticated, a.trail("case", a.deps.Query.CaseTrail)},
		{get, "/v1/payments/{id}/trail", authenticated, a.trail("payment", a.deps.Query.PaymentTrail)},
		{get, "/v1/budgets/{id}/trail", authenticated, a.trail("budget", a.deps.Query.BudgetTrail)},
		{get, "/v1/employees/{id}/trail", authenticated, a.trail("employee", a.deps.Query.EmployeeTrail)},
		{get, "/v1/audit/verify", authenticated, a.verifyAudit},
		{get, "/v1/audit/proof", authenticated, a.auditProof},
		{get, "/v1/audit/consistency", authenticated, a.auditConsistency},
	}
}

func (a *api) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// wrap adds what every request gets: a correlation id, panic recovery,
// metrics, and problem answers for paths and methods the route table does
// not have.
func (a *api) wrap(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		cid, cidErr := requestCorrelationID(r.Header)
		if cid == "" {
			cid = uuid.NewString()
		}
		sw.Header().Set(headerCorrelationID, cid)
		setSecurityHeaders(sw.Header())
		r = r.WithContext(withCorrelationID(r.Context(), cid))
		h, pattern := mux.Handler(r)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v", v)
				if sw.status == 0 {
					a.writeError(sw, r, err)
				} else {
					a.log.ErrorContext(r.Context(), "panic after the response started", "path", r.URL.Path, "err", err)
				}
			}
			a.observe(r.Method, pattern, sw.code(), time.Since(start))
		}()
		if cidErr != nil {
			a.writeError(sw, r, cidErr)
			return
		}
		if err := checkURLText(r); err != nil {
			a.writeError(sw, r, err)
			return
		}
		if pattern == "" {
			// No route: the mux answers 404, 405 (with Allow) or a
			// redirect to a cleaned path; the first two become problems.
			h.ServeHTTP(&unmatchedWriter{statusWriter: sw, a: a, r: r}, r)
			return
		}
		if err := checkQueryParameters(r, a.queryParams[pattern]); err != nil {
			a.writeError(sw, r, err)
			return
		}
		mux.ServeHTTP(sw, r)
	})
}

// setSecurityHeaders sets what every answer carries. Nothing this API
// answers may be cached: most of it is personal data or money, and what
// is not may change with the next event. No answer is a page to frame,
// sniff or follow links from.
func setSecurityHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
}

// wrapMetrics gives the metrics listener what every answer carries and
// problem answers for other paths and methods.
func (a *api) wrapMetrics(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		h, pattern := mux.Handler(r)
		if pattern == "" {
			h.ServeHTTP(&unmatchedWriter{statusWriter: &statusWriter{ResponseWriter: w}, a: a, r: r}, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status sent, for metrics and replies.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unmatchedWriter replaces the mux's plain-text 404 and 405 answers with
// problems, keeping the Allow header the mux sets.
type unmatchedWriter struct {
	*statusWriter
	a       *api
	r       *http.Request
	handled bool
}

func (w *unmatchedWriter) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.handled = true
		w.a.writeError(w.statusWriter, w.r, errNoRoute)
	case http.StatusMethodNotAllowed:
		w.handled = true
		w.a.writeError(w.statusWriter, w.r, errMethodNotAllowed)
	default:
		w.statusWriter.WriteHeader(code)
	}
}

func (w *unmatchedWriter) Write(b []byte) (int, error) {
	if w.handled {
		return len(b), nil
	}
	return w.statusWriter.Write(b)
}
