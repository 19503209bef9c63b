package progress

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 12345: "12.3 kB", 45_600_000: "45.6 MB", 1_200_000_000: "1.2 GB", 3_400_000_000_000: "3.4 TB", 5_000_000_000_000_000: "5000.0 TB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRun(t *testing.T) {
	var calls atomic.Int32
	stop := Run(time.Hour, time.Millisecond, func() { calls.Add(1) })
	if stop() || calls.Load() != 0 {
		t.Errorf("stopped before the delay: drawn, %d calls", calls.Load())
	}
	stop = Run(0, time.Millisecond, func() { calls.Add(1) })
	for calls.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	if !stop() {
		t.Error("drew, but stop says not")
	}
	n := calls.Load()
	time.Sleep(5 * time.Millisecond)
	if calls.Load() != n {
		t.Error("drew after stop")
	}
}
