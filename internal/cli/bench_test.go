package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

const benchSize = 64 << 20

// benchDir holds the benchmark input; TestMain removes it.
var benchDir string

var benchFile = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "tokcount-bench-")
	if err != nil {
		return "", err
	}
	benchDir = dir
	p := filepath.Join(dir, "64MiB.txt")
	return p, os.WriteFile(p, genText(benchSize, 7), 0o644)
})

// BenchmarkCount counts a generated 64 MiB file through the whole command
// (open, frame, count on -j workers, print) with o200k_base. Compare the
// MB/s of j=1 and j=2 for the parallel speed-up; they need two idle cores.
func BenchmarkCount(b *testing.B) {
	path, err := benchFile()
	if err != nil {
		b.Fatal(err)
	}
	tokenizer.MustGet("o200k_base") // load outside the timing
	for _, j := range []int{1, 2, 4} {
		b.Run("j="+strconv.Itoa(j), func(b *testing.B) {
			b.SetBytes(benchSize)
			for b.Loop() {
				e, _, errOut := testEnv(nil)
				e.stdout = io.Discard
				if code := e.run(context.Background(), []string{"-q", "-j", strconv.Itoa(j), path}); code != 0 {
					b.Fatalf("exit %d: %s", code, errOut)
				}
			}
		})
	}
}

// BenchmarkCountBytesInMemory is the engine alone on the same text, on one
// goroutine: the ceiling for j=1 above.
func BenchmarkCountBytesInMemory(b *testing.B) {
	text := genText(benchSize, 7)
	enc := tokenizer.MustGet("o200k_base")
	b.SetBytes(benchSize)
	for b.Loop() {
		enc.CountBytes(text)
	}
}
