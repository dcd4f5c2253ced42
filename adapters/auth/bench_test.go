package auth_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aidtrail/adapters/auth"
)

// BenchmarkArgon2id is one Hash and one Verify with the default parameters.
func BenchmarkArgon2id(b *testing.B) {
	h := newHasher(b, auth.Argon2idConfig{})
	b.Run("Hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Hash("correct horse battery staple"); err != nil {
				b.Fatal(err)
			}
		}
	})
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := h.Verify("correct horse battery staple", enc); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
}

// BenchmarkArgon2idConcurrent runs Verify with the default parameters from
// 1, 2 and 100 goroutines at once, as that many concurrent logins would, and
// reports throughput (verifies/s), the latency one login sees (p50, p99)
// and the most heap the hashes held at once. "bounded" is the default
// hasher (at most GOMAXPROCS hashes at once, the rest queue); "unbounded"
// lets every goroutine hash at the same time.
func BenchmarkArgon2idConcurrent(b *testing.B) {
	eachBound(b, func(mode string, h *auth.Argon2id, enc string) {
		for _, workers := range []int{1, 2, 100} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", mode, workers), func(b *testing.B) {
				runtime.GC()
				stop := watchHeap()
				lat := make([]time.Duration, b.N)
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range workers {
					wg.Go(func() {
						for {
							i := next.Add(1) - 1
							if i >= int64(b.N) {
								return
							}
							start := time.Now()
							if ok, err := h.Verify("pw", enc); !ok || err != nil {
								b.Error(ok, err)
								return
							}
							lat[i] = time.Since(start)
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				peak := stop()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifies/s")
				reportLatency(b, lat, peak)
			})
		}
	})
}

// BenchmarkArgon2idBurst is 100 logins arriving at once: each op starts
// 100 Verify calls together and waits for all; p50 and p99 are over every
// call of every burst. This is the latency a login sees when 100 users sign
// in at the same moment, before any database work.
func BenchmarkArgon2idBurst(b *testing.B) {
	const burst = 100
	eachBound(b, func(mode string, h *auth.Argon2id, enc string) {
		b.Run(fmt.Sprintf("%s/logins=%d", mode, burst), func(b *testing.B) {
			runtime.GC()
			stop := watchHeap()
			var lat []time.Duration
			for b.Loop() {
				one := make([]time.Duration, burst)
				var wg sync.WaitGroup
				start := time.Now()
				for i := range burst {
					wg.Go(func() {
						if ok, err := h.Verify("pw", enc); !ok || err != nil {
							b.Error(ok, err)
						}
						one[i] = time.Since(start)
					})
				}
				wg.Wait()
				lat = append(lat, one...)
			}
			reportLatency(b, lat, stop())
		})
	})
}

// eachBound calls bench with a hasher of the default parameters and its
// hash of "pw", once as "bounded" (the default: at most GOMAXPROCS hashes
// at once, the rest queue) and once as "unbounded" (every caller hashes at
// the same time).
func eachBound(b *testing.B, bench func(mode string, h *auth.Argon2id, enc string)) {
	for _, mode := range []struct {
		name string
		max  int
	}{{"bounded", 0}, {"unbounded", -1}} {
		h := newHasher(b, auth.Argon2idConfig{MaxConcurrent: mode.max})
		enc, err := h.Hash("pw")
		if err != nil {
			b.Fatal(err)
		}
		bench(mode.name, h, enc)
	}
}

// reportLatency reports the median and 99th percentile of lat (which it
// sorts) in milliseconds, and peak, the most heap held, in MiB.
func reportLatency(b *testing.B, lat []time.Duration, peak uint64) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*50/100].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[(len(lat)-1)*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// watchHeap samples the live heap every millisecond until the returned
// function is called, which returns the highest sample.
func watchHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}
