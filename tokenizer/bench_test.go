package tokenizer_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"

	"github.com/tokcount/tokcount/tokenizer"
)

// benchCorpora returns the benchmark texts: English prose and Go source from
// the Go distribution, and multilingual text from the conformance inputs.
func benchCorpora(b *testing.B) map[string][]byte {
	b.Helper()
	root := runtime.GOROOT()
	if dir := os.Getenv("TOKCOUNT_BENCH_GOROOT"); dir != "" {
		root = dir // a copy of the two folders used below, where Go is not installed
	}
	english, err := os.ReadFile(filepath.Join(root, "src", "testdata", "Isaac.Newton-Opticks.txt"))
	if err != nil {
		b.Skip("Go distribution testdata not found:", err)
	}
	var code []byte
	files, _ := filepath.Glob(filepath.Join(root, "src", "net", "http", "*.go"))
	sort.Strings(files)
	for _, f := range files {
		if len(code) > 1<<20 {
			break
		}
		src, _ := os.ReadFile(f)
		code = append(code, src...)
	}
	var multi []byte
	inputs, _ := filepath.Glob(filepath.Join("testdata", "conformance", "inputs", "*.txt"))
	sort.Strings(inputs)
	for _, f := range inputs {
		base := filepath.Base(f)
		for _, p := range []string{"script__", "emoji__", "combining__", "en__"} {
			if len(base) > len(p) && base[:len(p)] == p {
				src, _ := os.ReadFile(f)
				multi = append(multi, src...)
				multi = append(multi, '\n')
			}
		}
	}
	return map[string][]byte{"english": english, "code": code, "multilingual": multi}
}

func benchCount(b *testing.B, enc *tokenizer.Encoding, text []byte) {
	enc.CountBytes(text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		enc.CountBytes(text)
	}
}

// BenchmarkCount counts each corpus with each of the two main encodings,
// and with the embedded Qwen3 tokenizer.json (the tokenizer.json path, for
// its ratio to the built-in encodings in the same run).
func BenchmarkCount(b *testing.B) {
	corpora := benchCorpora(b)
	for _, name := range []string{"cl100k_base", "o200k_base", "qwen3"} {
		enc := tokenizer.MustGet(name)
		for _, corpus := range []string{"english", "code", "multilingual"} {
			b.Run(name+"/"+corpus, func(b *testing.B) { benchCount(b, enc, corpora[corpus]) })
		}
	}
}

// BenchmarkCountSize counts English prose cut or repeated to each size.
func BenchmarkCountSize(b *testing.B) {
	english := benchCorpora(b)["english"]
	enc := tokenizer.MustGet("o200k_base")
	for _, size := range []struct {
		name string
		n    int
	}{{"10B", 10}, {"1KB", 1 << 10}, {"100KB", 100 << 10}, {"10MB", 10 << 20}} {
		text := bytes.Repeat(english, size.n/len(english)+1)[:size.n]
		b.Run(size.name, func(b *testing.B) { benchCount(b, enc, text) })
	}
}

// BenchmarkEncode appends tokens into a reused slice.
func BenchmarkEncode(b *testing.B) {
	corpora := benchCorpora(b)
	enc := tokenizer.MustGet("o200k_base")
	for _, corpus := range []string{"english", "code", "multilingual"} {
		text := corpora[corpus]
		b.Run(corpus, func(b *testing.B) {
			dst := enc.AppendTokens(nil, text)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = enc.AppendTokens(dst[:0], text)
			}
		})
	}
}

// BenchmarkWorstCase: 1 MB of one letter, base64, digits, spaces and tabs,
// one CJK character, one emoji. It counts with a Counter, whose scratch
// space survives garbage collections (the pool behind CountBytes may be
// emptied by one, and its scratch for a 1 MB piece is then allocated again).
func BenchmarkWorstCase(b *testing.B) {
	cases := worstCases(1 << 20)
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, encName := range []string{"cl100k_base", "o200k_base"} {
		enc := tokenizer.MustGet(encName)
		for _, n := range names {
			b.Run(encName+"/"+n, func(b *testing.B) {
				c, text := enc.NewCounter(), cases[n]
				c.Count(text)
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					c.Count(text)
				}
			})
		}
	}
}

// BenchmarkCountParallel counts 32 MB of English with 1, 2, 4 … goroutines,
// up to GOMAXPROCS.
func BenchmarkCountParallel(b *testing.B) {
	english := benchCorpora(b)["english"]
	text := bytes.Repeat(english, (32<<20)/len(english)+1)[:32<<20]
	enc := tokenizer.MustGet("o200k_base")
	for _, w := range []int{1, 2, 4, 8, 16} {
		if w > runtime.GOMAXPROCS(0) {
			break
		}
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				enc.CountParallel(text, w)
			}
		})
	}
}

// BenchmarkLastBoundary searches text whose many spaces are never
// boundaries (they precede digits): the search must stay linear.
func BenchmarkLastBoundary(b *testing.B) {
	enc := tokenizer.MustGet("o200k_base")
	text := bytes.Repeat([]byte("1234 "), 400000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if enc.LastBoundary(text) >= 0 {
			b.Fatal("found a boundary")
		}
	}
}
