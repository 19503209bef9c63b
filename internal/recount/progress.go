package recount

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// startProgress calls opts.Progress every ProgressEvery while the run
// lasts; the returned function stops it.
func (c *compiled) startProgress(rd *reader) (stop func()) {
	if c.opts.Progress == nil {
		return func() {}
	}
	every := c.opts.ProgressEvery
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	var total int64
	for _, f := range rd.files {
		if f.size < 0 {
			total = -1
			break
		}
		total += f.size
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			p := Progress{
				Files:     len(rd.files),
				FilesDone: int(rd.filesDone.Load()),
				RawBytes:  rd.doneBytes.Load(),
				RawTotal:  total,
				Lines:     c.progress.lines.Load(),
				Records:   c.progress.records.Load(),
				Elapsed:   time.Since(start),
			}
			if in := rd.cur.Load(); in != nil {
				p.RawBytes += in.RawBytes()
			}
			if name := rd.curName.Load(); name != nil {
				p.File = *name
			}
			c.opts.Progress(p)
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// ProgressLine renders p for a terminal: "recount  3/10 files  [####....]
// 1.2 GB / 3.4 GB  45.6 MB/s  1234567 records (9876/s)  NAME".
func ProgressLine(p Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tokcount recount: %d/%d files", p.FilesDone, p.Files)
	secs := p.Elapsed.Seconds()
	if p.RawTotal > 0 {
		frac := min(float64(p.RawBytes)/float64(p.RawTotal), 1)
		const width = 20
		filled := int(frac * width)
		fmt.Fprintf(&b, "  [%s%s] %s / %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), humanBytes(p.RawBytes), humanBytes(p.RawTotal))
	} else {
		fmt.Fprintf(&b, "  %s", humanBytes(p.RawBytes))
	}
	if secs > 0 {
		fmt.Fprintf(&b, "  %s/s  %d records (%.0f/s)", humanBytes(int64(float64(p.RawBytes)/secs)), p.Records, float64(p.Records)/secs)
	}
	if p.File != "" {
		name := p.File
		if name == "-" {
			name = "(standard input)"
		}
		if r := []rune(name); len(r) > 40 {
			name = "…" + string(r[len(r)-39:])
		}
		b.WriteString("  ")
		b.WriteString(name)
	}
	return b.String()
}

// humanBytes renders n in decimal units: 999 B, 12.3 kB, 45.6 MB, 1.2 GB.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit || u == "TB" {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return ""
}
