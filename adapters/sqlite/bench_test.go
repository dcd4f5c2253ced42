package sqlite

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"aidtrail/domain/event"
)

// BenchmarkAppend measures single-event appends per second, each to its own
// new stream, for both synchronous settings, with group commit on (the
// Store) and off (one transaction per append), from one caller and from
// many concurrent callers (RunParallel with parallelism × GOMAXPROCS
// goroutines).
//
//	go test -run '^$' -bench Append -benchtime 3s ./adapters/sqlite/
func BenchmarkAppend(b *testing.B) {
	for _, sync := range []string{syncFull, syncNormal} {
		for _, batch := range []int{maxBatch, 1} {
			for _, callers := range []int{1, 8, 32} {
				mode := "group"
				if batch == 1 {
					mode = "serial"
				}
				name := fmt.Sprintf("sync=%s/%s/parallelism=%d", sync, mode, callers)
				b.Run(name, func(b *testing.B) { benchAppend(b, sync, batch, callers) })
			}
		}
	}
}

func benchAppend(b *testing.B, sync string, batch, callers int) {
	s, err := open(b.Context(), Config{Path: filepath.Join(b.TempDir(), "events.db")}, sync, batch)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	appendOne := func() {
		e := event.Event{ID: event.NewID(), Type: "bench.appended", Data: []byte(`{"amount_fen":12345,"note":"benchmark"}`)}
		stream := fmt.Sprintf("bench-%d", n.Add(1))
		if _, err := s.Append(b.Context(), stream, event.NoStream, e); err != nil {
			b.Error(err)
		}
	}
	b.ResetTimer()
	if callers == 1 {
		for b.Loop() {
			appendOne()
		}
	} else {
		b.SetParallelism(callers)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				appendOne()
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	b.ReportMetric(float64(s.largestBatch.Load()), "max-batch")
}
