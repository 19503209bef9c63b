package recount

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMemoryBounded streams RECOUNT_MEM_GB gigabytes of batch lines (a
// generated block repeated) through the pipeline and reports the peak
// resident memory (VmHWM). It runs only when the variable is set:
//
//	RECOUNT_MEM_GB=10 go test ./internal/recount -run MemoryBounded -v
//
// RECOUNT_MEM_MAX_MB (default 400) is the limit it checks.
func TestMemoryBounded(t *testing.T) {
	gbs := os.Getenv("RECOUNT_MEM_GB")
	if gbs == "" {
		t.Skip("set RECOUNT_MEM_GB to run")
	}
	gb, err := strconv.ParseFloat(gbs, 64)
	if err != nil {
		t.Fatal(err)
	}
	limit := 400.0
	if s := os.Getenv("RECOUNT_MEM_MAX_MB"); s != "" {
		limit, _ = strconv.ParseFloat(s, 64)
	}
	block := genRealisticBatch(16 << 20)
	total := int64(gb * (1 << 30))
	pr, pw := io.Pipe()
	go func() {
		var n int64
		for n < total {
			k, err := pw.Write(block)
			if err != nil {
				return
			}
			n += int64(k)
		}
		pw.Close()
	}()
	before := vmHWM(t)
	r, err := Run(context.Background(), Options{Stdin: pr, Jobs: runtime.GOMAXPROCS(0), Records: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	peak := vmHWM(t)
	t.Logf("%.1f GB, %d lines, %d workers: peak RSS %.0f MB (%.0f MB before the run)",
		float64(total)/(1<<30), r.Totals.Lines.Lines, runtime.GOMAXPROCS(0), peak, before)
	if r.Totals.Rejected != 0 || r.Totals.Lines.Lines == 0 {
		t.Errorf("accounting: %+v", r.Totals.Lines)
	}
	if peak > limit {
		t.Errorf("peak RSS %.0f MB over %.0f MB", peak, limit)
	}
}

// vmHWM returns the process's peak resident set size in MB.
func vmHWM(t *testing.T) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
