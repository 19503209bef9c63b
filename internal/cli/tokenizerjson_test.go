package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/tokenizer"
	"github.com/tokcount/tokcount/vocab"
)

// TestTokenizerFlag counts, encodes and decodes with a tokenizer.json given
// by path (the embedded Qwen3 one written out, plain and zstd-compressed),
// and with -e qwen3, and expects the engine's figures.
func TestTokenizerFlag(t *testing.T) {
	data, err := vocab.EmbeddedTokenizerJSON("qwen3")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "tokenizer.json")
	packed := filepath.Join(dir, "tokenizer.bin")
	zw, _ := zstd.NewWriter(nil)
	if err := os.WriteFile(plain, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(packed, zw.EncodeAll(data, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	text := "Hello, world! 12345 <|im_start|>"
	enc := tokenizer.MustGet("qwen3")
	want := strconv.Itoa(enc.Count(text)) + "\n"
	for _, args := range [][]string{{"--tokenizer", plain}, {"--tokenizer", packed}, {"-e", "qwen3"}} {
		e, out, errOut := testEnv(strings.NewReader(text))
		if code := e.run(context.Background(), args); code != ExitOK || out.String() != want {
			t.Errorf("%q: exit %d, %q (stderr %q), want %q", args, code, out.String(), errOut.String(), want)
		}
	}
	e, out, _ := testEnv(strings.NewReader(text))
	if code := e.run(context.Background(), []string{"encode", "--tokenizer", plain}); code != ExitOK {
		t.Fatalf("encode: exit %d", code)
	}
	ids := strings.Fields(out.String())
	e, out, _ = testEnv(strings.NewReader(strings.Join(ids, " ")))
	if code := e.run(context.Background(), []string{"decode", "--tokenizer", plain}); code != ExitOK || out.String() != text {
		t.Errorf("decode: exit %d, %q, want %q", code, out.String(), text)
	}
	e, _, errOut := testEnv(bytes.NewReader(nil))
	if code := e.run(context.Background(), []string{"--tokenizer", filepath.Join(dir, "missing.json")}); code != ExitUsage || !strings.Contains(errOut.String(), "missing.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut.String())
	}
}
