// Package metrics is the service's Prometheus registry: requests answered
// and their durations, commands decided and theirs, the Go runtime and the
// process, and the state of the event store and the read models, read when
// scraped. It uses github.com/prometheus/client_golang on a registry of
// its own, so that two services in one process (tests) never share
// counters.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// Metrics holds the registry and the instruments the service updates. It
// is safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	commands *prometheus.HistogramVec
}

var _ commands.Observer = (*Metrics)(nil)

// New returns a registry with the runtime's and the process's collectors
// and the request and command instruments.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidtrail_http_requests_total", Help: "HTTP requests answered.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aidtrail_http_request_duration_seconds", Help: "Time spent answering HTTP requests.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
		commands: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aidtrail_command_duration_seconds", Help: "Time spent deciding and committing commands, retries included, by outcome: ok, refused (the client's fault) or error.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"command", "outcome"}),
	}
	m.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.commands)
	return m
}

// Request counts a request answered. route is a pattern of the route
// table or "unmatched", method one of HTTP's or "other", so that labels
// stay few whatever clients send.
func (m *Metrics) Request(method, route string, status int, took time.Duration) {
	labels := prometheus.Labels{"method": method, "route": route, "status": strconv.Itoa(status)}
	m.requests.With(labels).Inc()
	m.duration.With(labels).Observe(took.Seconds())
}

// CommandDone implements commands.Observer.
func (m *Metrics) CommandDone(command string, took time.Duration, err error) {
	m.commands.With(prometheus.Labels{"command": command, "outcome": outcome(err)}).Observe(took.Seconds())
}

// outcome sorts a command's error: the client's doing or not.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fault.ErrInvalid), errors.Is(err, fault.ErrInvalidState), errors.Is(err, fault.ErrConflict),
		errors.Is(err, event.ErrConcurrency), errors.Is(err, event.ErrNotFound), errors.Is(err, access.ErrForbidden),
		errors.Is(err, commands.ErrUnauthenticated):
		return "refused"
	default:
		return "error"
	}
}

// Watch adds to every scrape the store's head and the read models' state,
// read within timeout; what does not answer in time is left out of that
// scrape.
func (m *Metrics) Watch(head func(context.Context) (int64, error), progress query.Progress, timeout time.Duration) {
	m.registry.MustRegister(&stateCollector{head: head, progress: progress, timeout: timeout})
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
