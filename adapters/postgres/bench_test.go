package postgres

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"aidtrail/domain/event"
)

// The benchmarks compare an append with a raw single-row INSERT of the same
// bytes in the same run; read the ratio, not the absolute figures. The
// aidtrail bench command does the same at several concurrencies.

var benchPayload = json.RawMessage(`{"case_id":"0192d3a0-0000-7000-8000-000000000000","amount_fen":600000,"standard":"EDU-UNIV","reason":"child admitted to university"}`)

func benchMetadata() event.Metadata {
	return event.Metadata{ActorAccountID: "0192d3a0-0000-7000-8000-000000000001", ActorUnitID: "0192d3a0-0000-7000-8000-000000000002", CommandID: "bench"}
}

// eachConcurrency runs bench as sub-benchmarks c=1, c=8 and c=32, each on a
// fresh store, with RunParallel set to start about c goroutines.
func eachConcurrency(b *testing.B, bench func(b *testing.B, s *Store)) {
	for _, c := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			s := newBenchStore(b)
			b.SetParallelism(max(1, c/runtime.GOMAXPROCS(0)))
			bench(b, s)
		})
	}
}

func BenchmarkAppendNewStream(b *testing.B) {
	eachConcurrency(b, func(b *testing.B, s *Store) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				e := event.Event{ID: event.NewID(), Type: "case.opened", Data: benchPayload, Metadata: benchMetadata()}
				if _, err := s.Append(b.Context(), "case-"+e.ID.String(), event.NoStream, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkRawInsert(b *testing.B) {
	eachConcurrency(b, func(b *testing.B, s *Store) {
		if _, err := s.pool.Exec(b.Context(), `CREATE TABLE raw (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		meta, _ := json.Marshal(benchMetadata())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := event.NewID()
				if _, err := s.pool.Exec(b.Context(), "INSERT INTO raw (event_id, stream_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5)",
					id, "case-"+id.String(), "case.opened", string(benchPayload), string(meta)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkReadAll(b *testing.B) {
	s := newBenchStore(b)
	const total = 100_000
	batch := make([]event.Event, 1000)
	for i := 0; i < total/len(batch); i++ {
		for j := range batch {
			batch[j] = event.Event{ID: event.NewID(), Type: "case.opened", Data: benchPayload, Metadata: benchMetadata()}
		}
		if _, err := s.Append(b.Context(), fmt.Sprintf("case-%d", i), event.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		var after int64
		n := 0
		for {
			page, err := s.ReadAll(b.Context(), after, 5000)
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			n += len(page)
			after = page[len(page)-1].Position
		}
		if n != total {
			b.Fatalf("read %d events, want %d", n, total)
		}
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
}

func newBenchStore(b *testing.B) *Store {
	b.Helper()
	return newStoreWith(b, Config{MaxConns: 40})
}

func BenchmarkAppendExistingStream(b *testing.B) {
	eachConcurrency(b, func(b *testing.B, s *Store) {
		b.RunParallel(func(pb *testing.PB) {
			stream := "case-" + event.NewID().String()
			var version int64
			for pb.Next() {
				e := event.Event{ID: event.NewID(), Type: "case.noted", Data: benchPayload, Metadata: benchMetadata()}
				out, err := s.Append(b.Context(), stream, event.Exact(version), e)
				if err != nil {
					b.Error(err)
					return
				}
				version = out.Version
			}
		})
	})
}
