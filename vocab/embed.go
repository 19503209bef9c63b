package vocab

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/vocab/internal/flat"
)

// embeddedBlob is one embedded, zstd-compressed file with the size and
// SHA-256 of its content. The compressed bytes live in a string, so they
// are immutable.
type embeddedBlob struct {
	zst    string // zstd frame
	size   int    // decompressed size in bytes
	sha256 string // hex SHA-256 of the decompressed content
}

// embeddedRanks is an embedded rank table (see embed_gen.go): a flat blob
// (vocab/internal/flat).
type embeddedRanks = embeddedBlob

// decompress returns the content of b, checked against its size and
// SHA-256; what names it in errors. A decoder is created per call
// (single-threaded, output capped at the recorded size), so there is no
// shared state.
func (b embeddedBlob) decompress(what string) ([]byte, error) {
	if b.size < 0 {
		return nil, fmt.Errorf("%w: %s: negative size", ErrCorruptData, what)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(uint64(b.size)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, what, err)
	}
	defer dec.Close()
	data, err := dec.DecodeAll([]byte(b.zst), make([]byte, 0, b.size))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, what, err)
	}
	if len(data) != b.size {
		return nil, fmt.Errorf("%w: %s: decompressed to %d bytes, want %d", ErrCorruptData, what, len(data), b.size)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != b.sha256 {
		return nil, fmt.Errorf("%w: embedded %s: got %s, want %s", ErrChecksum, what, got, b.sha256)
	}
	return data, nil
}

// loadEmbedded decompresses, checks and decodes the embedded table name.
func loadEmbedded(name string) (*Ranks, error) {
	e, ok := embeddedTable(name)
	if !ok {
		return nil, fmt.Errorf("%w: no embedded rank table %q", ErrInvalidSpec, clip([]byte(name)))
	}
	return e.load(name)
}

// load decompresses, checks and decodes e; name is for error messages.
func (e embeddedRanks) load(name string) (*Ranks, error) {
	blob, err := e.decompress(name)
	if err != nil {
		return nil, err
	}
	data, offsets, err := flat.Decode(blob)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, name, err)
	}
	return &Ranks{Data: data[:len(data):len(data)], Offsets: offsets}, nil
}
