package metrics

import (
	"context"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"aidtrail/commands/query"
)

// stateCollector reads, when scraped, what lives outside the process's
// counters: the event store's head and each read model's standing.
type stateCollector struct {
	head     func(context.Context) (int64, error)
	progress query.Progress
	timeout  time.Duration
}

var (
	descGoroutines = prometheus.NewDesc("aidtrail_goroutines", "Goroutines that currently exist.", nil, nil)
	descHeap       = prometheus.NewDesc("aidtrail_heap_alloc_bytes", "Bytes of allocated heap objects.", nil, nil)
	descHead       = prometheus.NewDesc("aidtrail_event_store_head_position", "Highest global position readers can see.", nil, nil)
)

// projectionFamilies are the read models' series, one per projection.
var projectionFamilies = []struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(query.Status) float64
}{
	{projectionDesc("aidtrail_projection_checkpoint_position", "Global position of the last event the projection applied."),
		prometheus.GaugeValue, func(s query.Status) float64 { return float64(s.Checkpoint) }},
	{projectionDesc("aidtrail_projection_lag_positions", "Positions between the store's head and the projection's checkpoint."),
		prometheus.GaugeValue, func(s query.Status) float64 { return float64(s.LagPositions) }},
	{projectionDesc("aidtrail_projection_lag_seconds", "Age of the oldest event the projection has not applied yet; 0 when caught up."),
		prometheus.GaugeValue, func(s query.Status) float64 { return s.LagSeconds }},
	{projectionDesc("aidtrail_projection_events_applied_total", "Events the projection applied in this process."),
		prometheus.CounterValue, func(s query.Status) float64 { return float64(s.Applied) }},
	{projectionDesc("aidtrail_projection_failures_total", "Batches the projection failed to apply in this process, retries included."),
		prometheus.CounterValue, func(s query.Status) float64 { return float64(s.Failures) }},
	{projectionDesc("aidtrail_projection_count_mismatches", "Event types whose count of events the projection applied differs from the log's up to its checkpoint, at the last self-check; 0 when they agree."),
		prometheus.GaugeValue, func(s query.Status) float64 { return float64(len(s.Counts.Mismatches)) }},
	{projectionDesc("aidtrail_projection_counts_checked_position", "Checkpoint at which the last self-check compared the projection's applied events with the log; 0 before the first."),
		prometheus.GaugeValue, func(s query.Status) float64 { return float64(s.Counts.At) }},
	{projectionDesc("aidtrail_projection_stopped", "1 when the projection stopped on an event it cannot apply."),
		prometheus.GaugeValue, func(s query.Status) float64 {
			if s.Stopped != nil {
				return 1
			}
			return 0
		}},
}

func projectionDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, []string{"projection"}, nil)
}

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descGoroutines
	ch <- descHeap
	ch <- descHead
	for _, f := range projectionFamilies {
		ch <- f.desc
	}
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	ch <- prometheus.MustNewConstMetric(descGoroutines, prometheus.GaugeValue, float64(runtime.NumGoroutine()))
	ch <- prometheus.MustNewConstMetric(descHeap, prometheus.GaugeValue, float64(mem.HeapAlloc))
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if head, err := c.head(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(descHead, prometheus.GaugeValue, float64(head))
	}
	statuses, err := c.progress.Status(ctx)
	if err != nil {
		return
	}
	for _, f := range projectionFamilies {
		for _, s := range statuses {
			ch <- prometheus.MustNewConstMetric(f.desc, f.kind, f.value(s), s.Name)
		}
	}
}
