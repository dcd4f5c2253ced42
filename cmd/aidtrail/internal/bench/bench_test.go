package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.50, 50}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := quantile(d, c.q); got != c.want {
			t.Errorf("quantile(1..100, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if quantile(nil, 0.5) != 0 {
		t.Error("quantile of nothing is not 0")
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	err := Config{Duration: -1, Concurrency: []int{0, 8, 8}, ReadEvents: -1}.Validate()
	for _, want := range []string{"duration", "concurrency 0", "listed twice", "read events"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
	var c Config
	c.setDefaults()
	if err := c.Validate(); err != nil {
		t.Errorf("defaults are invalid: %v", err)
	}
}

func TestMeasureStopsAtFirstError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := measure(t.Context(), 4, time.Minute, func(ctx context.Context, w int) error {
		if w == 2 {
			return boom
		}
		time.Sleep(time.Millisecond)
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("measure = %v, want %v", err, boom)
	}
}
