package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tokcount/tokcount/internal/source"
)

// testEnv returns an env over in-memory streams: no terminal, 2 default
// jobs (so --help is the same on every machine), the real block size.
func testEnv(stdin io.Reader) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &env{
		stdin:         stdin,
		stdout:        &out,
		stderr:        &errOut,
		isTerminal:    func(any) bool { return false },
		jobs:          2,
		blockSize:     source.DefaultBlockSize,
		progressDelay: time.Second,
		progressEvery: 250 * time.Millisecond,
	}, &out, &errOut
}

// runCLI runs tokcount in-process and returns its exit code and output.
func runCLI(t testing.TB, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	e, out, errOut := testEnv(stdin)
	code := e.run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// genText returns n bytes of deterministic, varied text: English-like words,
// numbers, punctuation, code, some non-ASCII and lines of different lengths,
// so that it has cut points every few bytes and some long stretches.
func genText(n int, seed uint64) []byte {
	words := []string{
		"the", "of", "and", "to", "in", "token", "count", "billing", "Hello", "World",
		"naïve", "café", "über", "日本語", "тест", "emoji🙂", "func", "return", "x := 42",
		"if err != nil {", "}", "2024-11-26", "3.14159", "1,000,000", "don't", "it's",
		"<|endoftext|>", "https://example.com/a?b=c", "\t", "  ", "!!!", "...", "--",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", "ZmF0aGVyIGFuZCBzb24=", "\"quoted\"",
	}
	var b bytes.Buffer
	b.Grow(n + 64)
	x := seed | 1
	rnd := func() uint64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return x
	}
	for b.Len() < n {
		b.WriteString(words[rnd()%uint64(len(words))])
		switch r := rnd() % 16; {
		case r < 11:
			b.WriteByte(' ')
		case r < 13:
			b.WriteByte('\n')
		case r < 14:
			b.WriteString(". ")
		case r < 15:
			b.WriteString(",\n")
		}
	}
	return b.Bytes()[:n]
}
