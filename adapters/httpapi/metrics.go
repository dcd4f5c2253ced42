package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"aidtrail/commands/query"
)

// metrics counts requests for /metrics, in the Prometheus text format. Labels
// are bounded: route is a pattern of the route table or "unmatched".
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]*requestStats
}

type requestKey struct {
	method, route string
	status        int
}

type requestStats struct {
	count   uint64
	seconds float64
}

func newMetrics() *metrics {
	return &metrics{requests: make(map[requestKey]*requestStats)}
}

func (m *metrics) observe(method, pattern string, status int, d time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	if !knownMethod(method) {
		method = "other"
	}
	k := requestKey{method: method, route: pattern, status: status}
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.requests[k]
	if !ok {
		s = &requestStats{}
		m.requests[k] = s
	}
	s.count++
	s.seconds += d.Seconds()
}

func knownMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// serveMetrics writes the request counters, a few runtime gauges and the
// store's head position (omitted when the store does not answer in time).
func (a *api) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	var b strings.Builder
	a.metrics.write(&b)

	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	gauge(&b, "aidtrail_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge(&b, "aidtrail_heap_alloc_bytes", "Bytes of allocated heap objects.", float64(mem.HeapAlloc))

	ctx, cancel := context.WithTimeout(r.Context(), a.deps.ReadyTimeout)
	defer cancel()
	if head, err := a.deps.Store.Head(ctx); err == nil {
		gauge(&b, "aidtrail_event_store_head_position", "Highest global position readers can see.", float64(head))
	}

	if statuses, err := a.deps.ReadModels.Status(ctx); err == nil {
		writeProjectionMetrics(&b, statuses)
	}

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
	return nil
}

func (m *metrics) write(b *strings.Builder) {
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	stats := make(map[requestKey]requestStats, len(m.requests))
	for k, s := range m.requests {
		keys = append(keys, k)
		stats[k] = *s
	}
	m.mu.Unlock()
	slices.SortFunc(keys, func(x, y requestKey) int {
		if c := strings.Compare(x.route, y.route); c != 0 {
			return c
		}
		if c := strings.Compare(x.method, y.method); c != 0 {
			return c
		}
		return x.status - y.status
	})

	b.WriteString("# HELP aidtrail_http_requests_total HTTP requests answered.\n")
	b.WriteString("# TYPE aidtrail_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(b, "aidtrail_http_requests_total{%s} %d\n", k.labels(), stats[k].count)
	}
	b.WriteString("# HELP aidtrail_http_request_duration_seconds Time spent answering HTTP requests.\n")
	b.WriteString("# TYPE aidtrail_http_request_duration_seconds summary\n")
	for _, k := range keys {
		fmt.Fprintf(b, "aidtrail_http_request_duration_seconds_sum{%s} %s\n", k.labels(), formatFloat(stats[k].seconds))
		fmt.Fprintf(b, "aidtrail_http_request_duration_seconds_count{%s} %d\n", k.labels(), stats[k].count)
	}
}

func (k requestKey) labels() string {
	return fmt.Sprintf("method=%q,route=%q,status=\"%d\"", k.method, k.route, k.status)
}

func gauge(b *strings.Builder, name, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, formatFloat(v))
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// writeProjectionMetrics writes each projection's checkpoint, lag, events
// applied, failures and whether it has stopped.
func writeProjectionMetrics(b *strings.Builder, statuses []query.Status) {
	families := []struct {
		name, kind, help string
		value            func(query.Status) float64
	}{
		{"aidtrail_projection_checkpoint_position", "gauge", "Global position of the last event the projection applied.",
			func(s query.Status) float64 { return float64(s.Checkpoint) }},
		{"aidtrail_projection_lag_positions", "gauge", "Positions between the store's head and the projection's checkpoint.",
			func(s query.Status) float64 { return float64(s.LagPositions) }},
		{"aidtrail_projection_lag_seconds", "gauge", "Age of the oldest event the projection has not applied yet; 0 when caught up.",
			func(s query.Status) float64 { return s.LagSeconds }},
		{"aidtrail_projection_events_applied_total", "counter", "Events the projection applied in this process.",
			func(s query.Status) float64 { return float64(s.Applied) }},
		{"aidtrail_projection_failures_total", "counter", "Batches the projection failed to apply in this process, retries included.",
			func(s query.Status) float64 { return float64(s.Failures) }},
		{"aidtrail_projection_count_mismatches", "gauge", "Event types whose count of events the projection applied differs from the log's up to its checkpoint, at the last self-check; 0 when they agree.",
			func(s query.Status) float64 { return float64(len(s.Counts.Mismatches)) }},
		{"aidtrail_projection_counts_checked_position", "gauge", "Checkpoint at which the last self-check compared the projection's applied events with the log; 0 before the first.",
			func(s query.Status) float64 { return float64(s.Counts.At) }},
		{"aidtrail_projection_stopped", "gauge", "1 when the projection stopped on an event it cannot apply.",
			func(s query.Status) float64 {
				if s.Stopped != nil {
					return 1
				}
				return 0
			}},
	}
	for _, f := range families {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
		for _, s := range statuses {
			fmt.Fprintf(b, "%s{projection=%q} %s\n", f.name, s.Name, formatFloat(f.value(s)))
		}
	}
}
