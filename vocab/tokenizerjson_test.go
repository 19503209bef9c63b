package vocab

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestEmbeddedTokenizerJSON(t *testing.T) {
	data, err := EmbeddedTokenizerJSON("qwen3")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if len(data) != 11422654 || hex.EncodeToString(sum[:]) != "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4" {
		t.Errorf("qwen3: %d bytes, sha256 %x", len(data), sum)
	}
	if _, err := EmbeddedTokenizerJSON("llama3"); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("llama3: %v", err)
	}
	if names := EmbeddedTokenizerJSONNames(); len(names) != 1 || names[0] != "qwen3" {
		t.Errorf("names %v", names)
	}
}

func TestLoadTokenizerJSON(t *testing.T) {
	dir := t.TempDir()
	content := []byte(`{"version":"1.0","model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content)
	zw.Close()
	enc, _ := zstd.NewWriter(nil)
	files := map[string][]byte{
		"plain.json":    content,
		"file.json.gz":  gz.Bytes(),
		"file.json.zst": enc.EncodeAll(content, nil),
		"no-suffix":     gz.Bytes(), // recognised by content, not name
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadTokenizerJSON(p)
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	bad := filepath.Join(dir, "bad.gz")
	os.WriteFile(bad, append([]byte{0x1f, 0x8b}, "garbage"...), 0o644)
	if _, err := LoadTokenizerJSON(bad); !errors.Is(err, ErrCompressed) {
		t.Errorf("corrupt gzip: %v", err)
	}
	if _, err := LoadTokenizerJSON(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if got, err := LoadTokenizerJSON(empty); err != nil || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
	if _, err := readCapped(strings.NewReader("12345"), "x", false, 4); !errors.Is(err, ErrTooLarge) {
		t.Errorf("cap: %v", err)
	}
	if got, err := readCapped(strings.NewReader("1234"), "x", false, 4); err != nil || string(got) != "1234" {
		t.Errorf("at cap: %q, %v", got, err)
	}
}
