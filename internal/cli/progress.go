package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/tokcount/tokcount/internal/progress"
	"github.com/tokcount/tokcount/internal/source"
)

// startProgress draws a progress line for in on stderr while the work runs,
// if stderr is a terminal, quiet is off and the work lasts longer than
// e.progressDelay. It shows the bytes read (compressed bytes for a
// compressed input), the rate, and the percentage and ETA when the size is
// known. The returned stop function erases the line and must be called
// before anything else is printed.
func (e *env) startProgress(in *source.Input, quiet bool) (stop func()) {
	if quiet || !e.isTerminal(e.stderr) {
		return func() {}
	}
	start := time.Now()
	stopDrawing := progress.Run(e.progressDelay, e.progressEvery, func() {
		line := progressLine(displayName(in.Name), in.RawBytes(), in.Size, time.Since(start))
		fmt.Fprintf(e.stderr, "\r%s\x1b[K", line)
	})
	return func() {
		if stopDrawing() {
			fmt.Fprint(e.stderr, "\r\x1b[K")
		}
	}
}

// progressLine renders "NAME  [####......]  12.3 MB / 100.0 MB  12%
// 45.6 MB/s  ETA 2s"; without a known size, only the bytes and the rate.
func progressLine(name string, done, size int64, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString("tokcount: ")
	b.WriteString(name)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	if size > 0 {
		frac := min(float64(done)/float64(size), 1)
		const width = 20
		filled := int(frac * width)
		fmt.Fprintf(&b, "  [%s%s] %s / %s %3.0f%%", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
			progress.Bytes(done), progress.Bytes(size), frac*100)
	} else {
		fmt.Fprintf(&b, "  %s", progress.Bytes(done))
	}
	fmt.Fprintf(&b, "  %s/s", progress.Bytes(int64(rate)))
	if size > 0 && rate > 0 && done < size {
		eta := time.Duration(float64(size-done) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	}
	return b.String()
}
