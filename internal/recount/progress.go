package recount

import (
	"fmt"
	"github.com/tokcount/tokcount/internal/progress"
	"strings"
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
	stopTicking := progress.Run(every, every, func() {
		p := Progress{
			Files:     len(rd.files),
			FilesDone: int(rd.filesDone.Load()),
			RawBytes:  rd.doneBytes.Load(),
			RawTotal:  total,
			Lines:     c.progress.lines.Load(),
			Records:   c.progress.records.Load(),
			Elapsed:   time.Since(start),
		}
		for i := range rd.cur {
			if in := rd.cur[i].Load(); in != nil {
				p.RawBytes += in.RawBytes()
			}
		}
		if name := rd.curName.Load(); name != nil {
			p.File = *name
		}
		c.opts.Progress(p)
	})
	return func() { stopTicking() }
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
		fmt.Fprintf(&b, "  [%s%s] %s / %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), progress.Bytes(p.RawBytes), progress.Bytes(p.RawTotal))
	} else {
		fmt.Fprintf(&b, "  %s", progress.Bytes(p.RawBytes))
	}
	if secs > 0 {
		fmt.Fprintf(&b, "  %s/s  %d records (%.0f/s)", progress.Bytes(int64(float64(p.RawBytes)/secs)), p.Records, float64(p.Records)/secs)
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
