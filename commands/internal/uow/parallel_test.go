package uow

import (
	"errors"
	"sync/atomic"
	"testing"
)

// Parallel calls every index once, never more than workers at a time, and
// after a failure returns it without starting the rest.
func TestParallel(t *testing.T) {
	t.Parallel()
	var calls [100]atomic.Int32
	var running, most atomic.Int32
	err := Parallel(len(calls), 4, func(i int) error {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		calls[i].Add(1)
		running.Add(-1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range calls {
		if n := calls[i].Load(); n != 1 {
			t.Fatalf("index %d called %d times", i, n)
		}
	}
	if m := most.Load(); m > 4 {
		t.Fatalf("%d calls at once, at most 4 allowed", m)
	}

	boom := errors.New("boom")
	var started atomic.Int32
	err = Parallel(1000, 2, func(i int) error {
		started.Add(1)
		if i == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	if n := started.Load(); n == 1000 {
		t.Fatal("every call started after the failure")
	}
	if err := Parallel(0, 3, func(int) error { return boom }); err != nil {
		t.Fatalf("no calls: %v", err)
	}
}
