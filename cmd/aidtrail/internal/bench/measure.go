package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// result is one measurement: ops operations by c workers in elapsed.
type result struct {
	c        int
	kind     string
	ops      int
	elapsed  time.Duration
	p50, p99 time.Duration
}

func (r result) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ops) / r.elapsed.Seconds()
}

// measure runs op on c workers until d has passed and reports throughput
// and latency. The first error stops every worker and is returned.
func measure(ctx context.Context, c int, d time.Duration, op func(ctx context.Context, worker int) error) (result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	latencies := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for w := range c {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				if err := op(ctx, w); err != nil {
					cancel(err)
					break
				}
				lat = append(lat, time.Since(t0))
			}
			latencies[w] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return result{}, err
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	return result{ops: len(all), elapsed: elapsed, p50: quantile(all, 0.50), p99: quantile(all, 0.99)}, nil
}

// quantile returns the q-quantile of sorted by the nearest-rank method.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// payload makes events shaped like a real one: a case event of a few
// hundred bytes with full metadata.
type payload struct {
	data  json.RawMessage
	actor string
}

func newPayload() payload {
	data, _ := json.Marshal(map[string]any{ // cannot fail: plain values
		"case_id":       uuid.NewString(),
		"employee_id":   uuid.NewString(),
		"standard_code": "MED-03",
		"causes":        []string{"serious_illness"},
		"expense_fen":   8_000_000,
		"requested_fen": 4_000_000,
		"description":   "Inpatient treatment; receipts and discharge summary attached.",
	})
	return payload{data: data, actor: uuid.NewString()}
}

func (p payload) event() event.Event {
	return event.Event{
		ID:   event.NewID(),
		Type: "bench.case_submitted",
		Data: p.data,
		Metadata: event.Metadata{
			ActorAccountID:  p.actor,
			ActorName:       "Bench Caseworker",
			ActorPositionID: p.actor,
			ActorUnitID:     p.actor,
			CommandID:       uuid.NewString(),
			CorrelationID:   p.actor,
			OccurredAt:      time.Now().UTC(),
			SchemaVersion:   1,
		},
	}
}

// rowOf is the baseline's row for e: the same bytes the append writes.
func rowOf(stream string, e event.Event) (Row, error) {
	meta, err := json.Marshal(e.Metadata)
	if err != nil {
		return Row{}, err
	}
	return Row{ID: e.ID, Stream: stream, Type: e.Type, Data: string(e.Data), Metadata: string(meta)}, nil
}

func newStreamName() string { return "bench-" + uuid.NewString() }

// streamsPerWorker is how many streams each worker of append-existing owns
// and appends to in turn.
const streamsPerWorker = 4

// ownedStreams gives each worker its own streams and tracks their versions,
// so every append names the exact expected version and none conflicts.
type ownedStreams struct {
	r       *runner
	workers []workerStreams
}

type workerStreams struct {
	names    []string
	versions []int64
	next     int
}

// newOwnedStreams creates c × streamsPerWorker streams of one event each.
func (r *runner) newOwnedStreams(ctx context.Context, c int) (*ownedStreams, error) {
	o := &ownedStreams{r: r, workers: make([]workerStreams, c)}
	for w := range o.workers {
		for range streamsPerWorker {
			name := newStreamName()
			got, err := r.t.Store.Append(ctx, name, event.NoStream, r.payload.event())
			if err != nil {
				return nil, fmt.Errorf("create streams: %w", err)
			}
			r.appended.Add(1)
			o.workers[w].names = append(o.workers[w].names, name)
			o.workers[w].versions = append(o.workers[w].versions, got.Version)
		}
	}
	return o, nil
}

// append writes one event to the worker's next stream, in turn; only that
// worker touches its streams.
func (o *ownedStreams) append(ctx context.Context, worker int) error {
	ws := &o.workers[worker]
	i := ws.next
	got, err := o.r.t.Store.Append(ctx, ws.names[i], event.Exact(ws.versions[i]), o.r.payload.event())
	if err != nil {
		return err
	}
	o.r.appended.Add(1)
	ws.versions[i] = got.Version
	ws.next = (i + 1) % len(ws.names)
	return nil
}
