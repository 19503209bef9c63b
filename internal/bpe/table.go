// Package bpe holds the byte-pair-encoding kernels: a flat rank table with a
// fast hash index, and merge functions that reproduce tiktoken's
// byte_pair_merge exactly.
//
// It knows nothing about pretokenizing, special tokens or vocabulary files:
// callers hand it one piece (a pretokenizer match) at a time.
package bpe

import (
	"encoding/binary"
	"math/bits"
)

// NoRank marks a byte string that is not a token.
const NoRank = ^uint32(0)

// Table maps token bytes to ranks (token ids). Ranks are also the merge
// priority: a lower rank merges first.
//
// A Table is immutable after NewTable or TableFromImage and safe for
// concurrent use. It references, and never modifies, the data it was built
// from. Its index is kept as little-endian bytes, in the layout of an image
// (see image.go), so that a table embedded in the binary is used where it
// lies: byte slices need no alignment (the note in image.go has what this
// costs counting: within noise to 3%).
type Table struct {
	data   []byte // all token bytes, concatenated in rank order
	offs   []byte // little-endian uint32 per rank and one more: token r is data[off(r):off(r+1)]; empty = no token r
	slots  []byte // slotSize bytes per slot (see slot layout), open addressing with linear probing
	tags   []byte // tags[i]: slot i's tag (see tag), 0 if it is empty
	mask   uint64
	nRanks int              // len(offs)/4 - 1: offs has at least one offset
	byteRk [256]uint32      // rank of each single byte, NoRank if absent
	pairRk *[1 << 16]uint32 // rank of each 2-byte string, by little-endian value
	maxLen int              // longest token, in bytes
}

// A slot holds a token's key, rank and length, little-endian, at these
// offsets: for tokens of up to 8 bytes the key is the whole token (see key),
// so a lookup never touches data; for longer ones it is the first 8 bytes,
// and the rest is compared in data.
const (
	slotKey  = 0
	slotRank = 8
	slotLen  = 12
	slotSize = 16
)

// NewTable indexes the flat token table (data, offs): token r has the bytes
// data[offs[r]:offs[r+1]], and an empty range means no token has rank r.
// Token byte strings must be distinct (the vocab package guarantees it),
// offsets must not decrease and must lie within data (tokenizer.New checks).
func NewTable(data []byte, offs []uint32) *Table {
	if len(offs) == 0 {
		offs = []uint32{0} // no ranks
	}
	n := 0
	t := &Table{data: data, offs: make([]byte, 4*len(offs)), nRanks: len(offs) - 1}
	for i, o := range offs {
		binary.LittleEndian.PutUint32(t.offs[4*i:], o)
	}
	for i := range t.byteRk {
		t.byteRk[i] = NoRank
	}
	t.pairRk = new([1 << 16]uint32)
	for i := range t.pairRk {
		t.pairRk[i] = NoRank
	}
	for r := 0; r+1 < len(offs); r++ {
		if l := int(offs[r+1] - offs[r]); l > 0 {
			n++
			t.maxLen = max(t.maxLen, l)
		}
	}
	size := 1 << bits.Len(uint(n*2)) // load factor <= 1/2
	t.slots = make([]byte, size*slotSize)
	t.tags = make([]byte, size)
	t.mask = uint64(size - 1)
	for r := 0; r+1 < len(offs); r++ {
		tok := data[offs[r]:offs[r+1]]
		if len(tok) == 0 {
			continue
		}
		switch len(tok) {
		case 1:
			t.byteRk[tok[0]] = uint32(r)
		case 2:
			t.pairRk[binary.LittleEndian.Uint16(tok)] = uint32(r)
		}
		k := key(tok)
		h := hashKey(tok, k)
		i := h & t.mask
		for t.tags[i] != 0 {
			i = (i + 1) & t.mask
		}
		s := (*[slotSize]byte)(t.slots[i*slotSize:])
		binary.LittleEndian.PutUint64(s[slotKey:], k)
		binary.LittleEndian.PutUint32(s[slotRank:], uint32(r))
		binary.LittleEndian.PutUint32(s[slotLen:], uint32(len(tok)))
		t.tags[i] = tag(h)
	}
	return t
}

// off returns the offset of token r in data; r <= t.nRanks.
func (t *Table) off(r uint32) uint32 { return binary.LittleEndian.Uint32(t.offs[4*uint64(r):]) }

// NRanks returns the number of ranks, tokens or gaps: one more than the
// largest rank.
func (t *Table) NRanks() int { return t.nRanks }

// Rank returns the rank of b, or NoRank if b is not a token. It does not
// allocate.
func (t *Table) Rank(b []byte) uint32 {
	n := len(b)
	switch n {
	case 0:
		return NoRank
	case 1:
		return t.byteRk[b[0]]
	case 2:
		return t.pairRk[binary.LittleEndian.Uint16(b)]
	}
	if n > t.maxLen {
		return NoRank
	}
	k := key(b)
	return t.rankHashed(b, k, hashKey(b, k))
}

// rankHashed is Rank for 3 <= len(b) <= maxLen, with b's key and hash.
func (t *Table) rankHashed(b []byte, k, h uint64) uint32 {
	n := len(b)
	tg := tag(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i] {
		case 0:
			return NoRank
		case tg:
			s := (*[slotSize]byte)(t.slots[i*slotSize:])
			if binary.LittleEndian.Uint64(s[slotKey:]) == k && binary.LittleEndian.Uint32(s[slotLen:]) == uint32(n) {
				rank := binary.LittleEndian.Uint32(s[slotRank:])
				if n <= 8 {
					return rank
				}
				off := t.off(rank)
				if string(t.data[off+8:off+uint32(n)]) == string(b[8:]) {
					return rank
				}
			}
		}
	}
}

// tag is the one-byte summary of hash h kept beside each slot: 0 marks an
// empty slot, and a lookup reads a slot only where the tags agree. The tags
// (512 KiB for o200k_base) stay in the caches where the slots (8 MiB) do
// not, so a lookup of bytes that are no token, most of the lookups that
// merging makes, seldom leaves them.
func tag(h uint64) uint8 { return uint8(h>>56) | 1 }

// Token returns the bytes of token r, or nil if there is none. They are the
// table's own, capped to their length: they must not be modified (a table
// opened from an embedded image keeps them in read-only memory).
func (t *Table) Token(r uint32) []byte {
	if uint64(r) >= uint64(t.nRanks) {
		return nil
	}
	a, b := t.off(r), t.off(r+1)
	return t.data[a:b:b]
}

// MaxTokenLen is the length in bytes of the longest token.
func (t *Table) MaxTokenLen() int { return t.maxLen }

// key packs b into 8 bytes. Together with len(b) it identifies b exactly
// when len(b) <= 8 (the two 4-byte loads overlap, the 3-byte form repeats
// bytes, but the length disambiguates); for longer b it is the first 8 bytes.
func key(b []byte) uint64 {
	switch n := len(b); {
	case n >= 8:
		if n == 8 {
			return binary.LittleEndian.Uint64(b)
		}
		return binary.LittleEndian.Uint64(b)
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	case n > 0:
		return uint64(b[0]) | uint64(b[n>>1])<<8 | uint64(b[n-1])<<16
	}
	return 0
}

// hashKey hashes b, whose key is k.
func hashKey(b []byte, k uint64) uint64 {
	if len(b) <= 8 {
		return mix(k^seed1, uint64(len(b))^seed0)
	}
	return hash(b)
}

const (
	seed0 = 0xa0761d6478bd642f
	seed1 = 0xe7037ed1a0b428db
	seed2 = 0x8ebc6af09c88c6e3
)

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// Hash is the table's hash of a byte string: fast on short strings, not
// seeded (for caches that compare keys, not for maps an adversary fills).
func Hash(b []byte) uint64 { return hash(b) }

// hash is a wyhash-style hash of short byte strings. Tokens are at most a
// few hundred bytes, so it favours short inputs.
func hash(b []byte) uint64 {
	n := len(b)
	var a, c uint64
	switch {
	case n > 16:
		h := uint64(n) * seed2
		p := b
		for len(p) > 16 {
			h = mix(binary.LittleEndian.Uint64(p)^seed1, binary.LittleEndian.Uint64(p[8:])^h)
			p = p[16:]
		}
		a = binary.LittleEndian.Uint64(b[n-16:]) ^ h
		c = binary.LittleEndian.Uint64(b[n-8:])
	case n >= 8:
		a = binary.LittleEndian.Uint64(b)
		c = binary.LittleEndian.Uint64(b[n-8:])
	case n >= 4:
		a = uint64(binary.LittleEndian.Uint32(b))<<32 | uint64(binary.LittleEndian.Uint32(b[n-4:]))
	case n > 0:
		a = uint64(b[0])<<16 | uint64(b[n>>1])<<8 | uint64(b[n-1])
	}
	return mix(a^seed1^uint64(n), c^seed0)
}
