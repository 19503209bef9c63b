// Package progress holds what the progress displays of tokcount's commands
// share: a ticker goroutine and human-readable byte counts.
package progress

import (
	"fmt"
	"sync"
	"time"
)

// Run calls draw every interval, starting after delay, on a goroutine of its
// own, until the returned stop function is called. stop waits for a draw in
// progress to finish and reports whether draw was ever called (so a caller
// knows whether there is a line to erase).
func Run(delay, every time.Duration, draw func()) (stop func() (drawn bool)) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	drawn := false
	wg.Add(1)
	go func() {
		defer wg.Done()
		wait := time.NewTimer(delay)
		defer wait.Stop()
		select {
		case <-done:
			return
		case <-wait.C:
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			draw()
			drawn = true
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() bool {
		close(done)
		wg.Wait()
		return drawn
	}
}

// Bytes renders n in decimal units: 999 B, 12.3 kB, 45.6 MB, 1.2 GB.
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB"} {
		f /= unit
		if f < unit {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f TB", f/unit)
}
