// Package flat defines the binary layout of the embedded rank tables.
//
// A flat blob is
//
//	magic   [4]byte  "TKR1"
//	n       uint32   little endian: number of ids (max id + 1)
//	lengths [n]byte  byte length of token id i; 0 marks an absent id (gap)
//	data    []byte   the tokens of the present ids, concatenated in id order
//
// Per-id lengths (instead of uint32 offsets) keep the blob small and
// compress far better; offsets are rebuilt in one linear pass on load.
// Tokens are therefore limited to MaxTokenLen bytes.
//
// The package is internal to vocab: it is shared by the vocab package and
// by its generator (vocab/internal/gen).
package flat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Magic starts every flat blob.
const Magic = "TKR1"

// HeaderLen is the size of the fixed header (magic + n).
const HeaderLen = 8

// MaxTokenLen is the largest token a flat blob can hold.
const MaxTokenLen = 255

// ErrCorrupt is wrapped by every Decode error.
var ErrCorrupt = errors.New("corrupt flat rank table")

// Encode renders a table given as data/offsets (token id i is
// data[offsets[i]:offsets[i+1]]) into a flat blob. It fails on inconsistent
// offsets or tokens longer than MaxTokenLen.
func Encode(data []byte, offsets []uint32) ([]byte, error) {
	if len(offsets) == 0 {
		return nil, errors.New("flat: no offsets")
	}
	n := len(offsets) - 1
	if uint64(n) > math.MaxUint32 {
		return nil, errors.New("flat: too many ids")
	}
	if offsets[0] != 0 || uint64(offsets[n]) != uint64(len(data)) {
		return nil, errors.New("flat: offsets do not span data")
	}
	out := make([]byte, 0, HeaderLen+n+len(data))
	out = append(out, Magic...)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	for i := 0; i < n; i++ {
		a, b := offsets[i], offsets[i+1]
		if b < a {
			return nil, fmt.Errorf("flat: offsets decrease at id %d", i)
		}
		if b-a > MaxTokenLen {
			return nil, fmt.Errorf("flat: token %d is %d bytes, over %d", i, b-a, MaxTokenLen)
		}
		out = append(out, byte(b-a))
	}
	return append(out, data...), nil
}

// Decode parses a flat blob. The returned data aliases blob (no copy);
// offsets is freshly allocated with n+1 entries. It never panics; any
// inconsistency yields an error wrapping ErrCorrupt.
func Decode(blob []byte) (data []byte, offsets []uint32, err error) {
	if len(blob) < HeaderLen || string(blob[:4]) != Magic {
		return nil, nil, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	n := uint64(binary.LittleEndian.Uint32(blob[4:8]))
	if n > uint64(len(blob)-HeaderLen) {
		return nil, nil, fmt.Errorf("%w: %d ids do not fit in %d bytes", ErrCorrupt, n, len(blob))
	}
	lengths := blob[HeaderLen : HeaderLen+n]
	data = blob[HeaderLen+n:]
	if uint64(len(data)) > math.MaxUint32 {
		return nil, nil, fmt.Errorf("%w: data over 4 GiB", ErrCorrupt)
	}
	offsets = make([]uint32, n+1)
	var off uint64
	for i, l := range lengths {
		off += uint64(l)
		if off > uint64(len(data)) {
			return nil, nil, fmt.Errorf("%w: lengths exceed data at id %d", ErrCorrupt, i)
		}
		offsets[i+1] = uint32(off) // fits: off <= len(data) <= MaxUint32
	}
	if off != uint64(len(data)) {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, uint64(len(data))-off)
	}
	return data, offsets, nil
}
