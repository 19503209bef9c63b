package vocab

import (
	"encoding/base64"
	"strconv"
)

// Ranks is a flat, immutable token table: the bytes of token id i are
// Data[Offsets[i]:Offsets[i+1]]. An id with an empty slice is absent (a
// gap; e.g. p50k_base has no rank 50256). len(Offsets) == Len()+1, and
// Offsets is non-decreasing with Offsets[Len()] == len(Data).
//
// A table is two allocations regardless of its size. Tables returned by
// this package are never modified after they are returned, so one *Ranks
// may be read by any number of goroutines; callers must not write to Data
// or Offsets. The methods tolerate a nil or hand-built, inconsistent
// table: they never panic, inconsistent ids simply read as absent.
type Ranks struct {
	Data    []byte
	Offsets []uint32
}

// Len returns the number of ids, i.e. max id + 1 (0 for an empty or nil
// table). Ids in [0, Len()) may still be gaps; see Count.
func (r *Ranks) Len() int {
	if r == nil || len(r.Offsets) == 0 {
		return 0
	}
	return len(r.Offsets) - 1
}

// Token returns the bytes of id. It reports false for gaps and ids out of
// range. The returned slice aliases the table (capacity-limited, so an
// append copies); it must not be modified. It does not allocate.
func (r *Ranks) Token(id uint32) ([]byte, bool) {
	if r == nil || uint64(id)+1 >= uint64(len(r.Offsets)) {
		return nil, false
	}
	a, b := r.Offsets[id], r.Offsets[id+1]
	if a >= b || uint64(b) > uint64(len(r.Data)) {
		return nil, false
	}
	return r.Data[a:b:b], true
}

// Count returns the number of ids present (Len minus gaps). It is O(Len)
// and does not allocate.
func (r *Ranks) Count() int {
	n := 0
	for id := 0; id < r.Len(); id++ {
		if _, ok := r.Token(uint32(id)); ok {
			n++
		}
	}
	return n
}

// AppendTiktoken appends r rendered in the .tiktoken text format —
// "base64(token) SP rank LF" for every present id in increasing order — to
// dst and returns the extended slice. For the built-in tables the result
// is byte-identical to the reference files, e.g. to re-check a SHA-256.
// It allocates only when dst lacks capacity (it grows dst once).
func (r *Ranks) AppendTiktoken(dst []byte) []byte {
	n := r.Len()
	// Upper bound: base64 of all data, up to 3 padding bytes, " rank\n" per id.
	if r != nil {
		need := base64.StdEncoding.EncodedLen(len(r.Data)) + n*(5+len(strconv.Itoa(n)))
		if cap(dst)-len(dst) < need {
			grown := make([]byte, len(dst), len(dst)+need)
			copy(grown, dst)
			dst = grown
		}
	}
	for id := 0; id < n; id++ {
		tok, ok := r.Token(uint32(id))
		if !ok {
			continue
		}
		dst = base64.StdEncoding.AppendEncode(dst, tok)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, uint64(id), 10)
		dst = append(dst, '\n')
	}
	return dst
}
