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
	"time"
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
	Store  Store        // required
	Logger *slog.Logger // required
	// ReadyTimeout bounds how long /readyz waits for the store.
	ReadyTimeout time.Duration
}

func (d *Deps) setDefaults() {
	if d.ReadyTimeout <= 0 {
		d.ReadyTimeout = 2 * time.Second
	}
}

// Validate reports every missing dependency at once.
func (d Deps) Validate() error {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("httpapi: Store is required"))
	}
	if d.Logger == nil {
		errs = append(errs, errors.New("httpapi: Logger is required"))
	}
	return errors.Join(errs...)
}

// NewHandler returns the API's handler. It is safe for concurrent use.
func NewHandler(deps Deps) (http.Handler, error) {
	deps.setDefaults()
	if err := deps.Validate(); err != nil {
		return nil, err
	}
	a := &api{deps: deps, log: deps.Logger, metrics: newMetrics()}
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.method+" "+rt.path, a.adapt(rt.handle))
	}
	return a.wrap(mux), nil
}

type api struct {
	deps    Deps
	log     *slog.Logger
	metrics *metrics
}

// route is one entry of the route table. The OpenAPI test walks the same
// table, so a route cannot exist without being documented.
type route struct {
	method string
	path   string // a ServeMux path pattern, {name} for path parameters
	handle handlerFunc
}

// handlerFunc answers a request or returns an error, which writeError turns
// into a problem: handlers never write error responses themselves.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// routes is the whole route table.
func (a *api) routes() []route {
	return []route{
		{http.MethodGet, "/healthz", a.healthz},
		{http.MethodGet, "/readyz", a.readyz},
		{http.MethodGet, "/openapi.json", a.openAPI},
		{http.MethodGet, "/metrics", a.serveMetrics},
	}
}

func (a *api) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// wrap adds what every request gets: panic recovery, metrics, and problem
// answers for paths and methods the route table does not have.
func (a *api) wrap(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
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
			a.metrics.observe(r.Method, pattern, sw.code(), time.Since(start))
		}()
		if pattern == "" {
			// No route: the mux answers 404, 405 (with Allow) or a
			// redirect to a cleaned path; the first two become problems.
			h.ServeHTTP(&unmatchedWriter{statusWriter: sw, a: a, r: r}, r)
			return
		}
		mux.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status sent, for metrics.
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
