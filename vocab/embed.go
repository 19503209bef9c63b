package vocab

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/klauspost/compress/zstd"

	"github.com/tokcount/tokcount/vocab/internal/flat"
)

// embeddedRanks describes one embedded rank table (see embed_gen.go).
// The compressed bytes live in a string, so they are immutable.
type embeddedRanks struct {
	zst    string // zstd frame holding a flat blob (vocab/internal/flat)
	size   int    // decompressed size in bytes
	sha256 string // hex SHA-256 of the decompressed blob
}

// loadEmbedded decompresses, checks and decodes the embedded table name.
// A decoder is created per call (single-threaded, output capped at the
// recorded size), so there is no shared state.
func loadEmbedded(name string) (*Ranks, error) {
	e, ok := embeddedTable(name)
	if !ok {
		return nil, fmt.Errorf("%w: no embedded rank table %q", ErrInvalidSpec, clip([]byte(name)))
	}
	return e.load(name)
}

// load decompresses and checks e; name is for error messages.
func (e embeddedRanks) load(name string) (*Ranks, error) {
	if e.size < 0 {
		return nil, fmt.Errorf("%w: %s: negative size", ErrCorruptData, name)
	}
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderMaxMemory(uint64(e.size)))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, name, err)
	}
	defer dec.Close()
	blob, err := dec.DecodeAll([]byte(e.zst), make([]byte, 0, e.size))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, name, err)
	}
	if len(blob) != e.size {
		return nil, fmt.Errorf("%w: %s: decompressed to %d bytes, want %d", ErrCorruptData, name, len(blob), e.size)
	}
	sum := sha256.Sum256(blob)
	if got := hex.EncodeToString(sum[:]); got != e.sha256 {
		return nil, fmt.Errorf("%w: embedded %s: got %s, want %s", ErrChecksum, name, got, e.sha256)
	}
	data, offsets, err := flat.Decode(blob)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorruptData, name, err)
	}
	return &Ranks{Data: data[:len(data):len(data)], Offsets: offsets}, nil
}
